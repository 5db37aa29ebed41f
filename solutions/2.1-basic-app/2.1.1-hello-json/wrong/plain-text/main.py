# WRONG: answers text/plain instead of a JSON object.
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI()


@app.get("/", response_class=PlainTextResponse)
def root() -> str:
    return "Hello, World"


@app.get("/hello/{name}", response_class=PlainTextResponse)
def hello(name: str) -> str:
    return f"Hello, {name}"
