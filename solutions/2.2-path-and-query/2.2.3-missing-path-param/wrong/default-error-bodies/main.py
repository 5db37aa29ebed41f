# WRONG: no exception handlers, so 404 and 422 keep FastAPI's default {"detail": ...} bodies.
from fastapi import FastAPI

app = FastAPI()


@app.get("/users/{user_id}")
def read_user(user_id: int) -> dict[str, int]:
    return {"user_id": user_id}


@app.get("/reports")
def read_reports(year: int) -> dict[str, int]:
    return {"year": year}
