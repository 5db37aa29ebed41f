from fastapi import FastAPI

app = FastAPI()


# TODO: Task 1 - GET / returns {"message": "Hello, World"}


# TODO: Task 2 - GET /hello/{name} returns {"message": "Hello, <name>"}
