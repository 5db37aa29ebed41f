import dataclasses

import models
from fastapi import FastAPI

app = FastAPI()


@app.post("/dc")
async def dc(product: models.ProductDC):
    assert isinstance(product, models.ProductDC)
    return dataclasses.asdict(product)
