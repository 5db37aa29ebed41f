# WRONG: takes a ProductModel body instead of the stdlib dataclass ProductDC.
from fastapi import FastAPI
from models import ProductModel

app = FastAPI()


@app.post("/dc")
def create_from_dataclass(product: ProductModel) -> ProductModel:
    # FastAPI validated the body against ProductDC's fields before calling us, even though
    # ProductDC itself never validates anything.
    return product
