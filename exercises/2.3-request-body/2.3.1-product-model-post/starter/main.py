from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Product(BaseModel):
    # TODO: Task 1 - name (stripped, 1-100 chars), price (> 0), quantity (>= 0, default 0);
    #       reject unknown keys
    name: str
    price: float
    quantity: int = 0


# TODO: Task 2 - POST /products answers 201 with the product plus an increasing integer "id"
