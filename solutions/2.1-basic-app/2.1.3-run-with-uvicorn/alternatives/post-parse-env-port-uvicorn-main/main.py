# The application that run.py starts. You don't need to change this file.
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"message": "Hello, World"}
