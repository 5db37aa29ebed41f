# WRONG: user_id is annotated as str, so any text (and "0") is accepted and echoed as a string.
from typing import Annotated, Literal

from fastapi import FastAPI, Path

app = FastAPI()

UserStatus = Literal["active", "inactive"]


@app.get("/users/{user_id}")
def read_user(
    user_id: Annotated[str, Path(min_length=1)],
    status: UserStatus | None = None,
) -> dict[str, int | str | None]:
    return {"user_id": user_id, "status": status}
