# WRONG: takes the body as a plain dict, so FastAPI validates nothing.
from fastapi import FastAPI
from models import ProductDC  # noqa: F401

app = FastAPI()


@app.post("/dc")
def create_from_dataclass(product: dict) -> dict:
    # FastAPI validated the body against ProductDC's fields before calling us, even though
    # ProductDC itself never validates anything.
    return product
