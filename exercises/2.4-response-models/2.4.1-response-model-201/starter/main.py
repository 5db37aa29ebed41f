from fastapi import FastAPI
from pydantic import BaseModel, EmailStr

app = FastAPI()


# TODO: Task 1 - the input model: username, email (a valid address), password
class UserCreate(BaseModel):
    pass


# TODO: Task 1 - the output model: id, username, email (never the password)
class UserRead(BaseModel):
    pass


# TODO: Task 1 - POST /users creates a user and answers 201 with a UserRead
#       (declare response_model=UserRead and status_code=201 on the decorator)


# TODO: Task 2 - a username that is already taken answers 409 Conflict
