# WRONG: status has no default, so it is a required query parameter.
from typing import Annotated, Literal

from fastapi import FastAPI, Path

app = FastAPI()

UserStatus = Literal["active", "inactive"]


@app.get("/users/{user_id}")
def read_user(
    user_id: Annotated[int, Path(gt=0)],
    status: UserStatus,
) -> dict[str, int | str | None]:
    return {"user_id": user_id, "status": status}
