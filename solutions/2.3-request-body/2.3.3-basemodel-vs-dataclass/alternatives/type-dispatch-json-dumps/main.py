from typing import Annotated

from fastapi import Body, FastAPI
from models import ProductDC, to_json  # noqa: F401

app = FastAPI()


@app.post("/dc", response_model=ProductDC)
def dc(product: Annotated[ProductDC, Body()]):
    return product
