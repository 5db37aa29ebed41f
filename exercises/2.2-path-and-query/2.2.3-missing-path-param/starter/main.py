from fastapi import FastAPI

app = FastAPI()


# TODO: Task 1 - GET /users/{user_id} (user_id: int) -> {"user_id": ...}
#                GET /reports?year=<int> (required) -> {"year": ...}


# TODO: Task 2 - requests that match no route: 404 {"error": "not_found", "path": <request path>}


# TODO: Task 3 - request validation errors: 422 {"error": "validation_error", "fields": [...]}
