# ALTERNATIVE: ProductPDC wraps ProductDC, to_json via pydantic_core.to_json
import dataclasses

import pydantic
import pydantic_core


class ProductModel(pydantic.BaseModel):
    name: str
    price: float
    quantity: int = 0


@dataclasses.dataclass
class ProductDC:
    name: str
    price: float
    quantity: int = 0


ProductPDC = pydantic.dataclasses.dataclass(ProductDC)


def to_json(obj):
    return pydantic_core.to_json(obj).decode("utf-8")
