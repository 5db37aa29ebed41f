# WRONG: status is a plain optional str, so values other than active/inactive get through.
from typing import Annotated

from fastapi import FastAPI, Path

app = FastAPI()


@app.get("/users/{user_id}")
def read_user(
    user_id: Annotated[int, Path(gt=0)],
    status: str | None = None,
) -> dict[str, int | str | None]:
    return {"user_id": user_id, "status": status}
