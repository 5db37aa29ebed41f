# WRONG: returns a bare JSON string, not an object with a "message" key.
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root() -> str:
    return "Hello, World"


@app.get("/hello/{name}")
def hello(name: str) -> str:
    return f"Hello, {name}"
