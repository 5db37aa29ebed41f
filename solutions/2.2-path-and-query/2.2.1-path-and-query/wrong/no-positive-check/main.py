# WRONG: user_id is an int but without gt=0, so 0 and negative ids are accepted.
from typing import Literal

from fastapi import FastAPI

app = FastAPI()

UserStatus = Literal["active", "inactive"]


@app.get("/users/{user_id}")
def read_user(
    user_id: int,
    status: UserStatus | None = None,
) -> dict[str, int | str | None]:
    return {"user_id": user_id, "status": status}
