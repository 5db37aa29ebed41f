from fastapi import FastAPI
from models import ProductDC

app = FastAPI()


@app.post("/dc")
def create_from_dataclass(product: ProductDC) -> ProductDC:
    # FastAPI validated the body against ProductDC's fields before calling us, even though
    # ProductDC itself never validates anything.
    return product
