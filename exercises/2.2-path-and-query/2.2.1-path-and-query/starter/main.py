from fastapi import FastAPI

app = FastAPI()


# TODO: Task 1 - GET /users/{user_id}: user_id is an int greater than 0;
#       answer {"user_id": <int>, "status": None}


# TODO: Task 2 - an optional query parameter `status` ("active" or "inactive"), echoed as "status"
