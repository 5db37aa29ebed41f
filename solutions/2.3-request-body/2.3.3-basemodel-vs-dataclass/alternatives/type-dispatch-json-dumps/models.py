# ALTERNATIVE: to_json dispatches on type: model_dump_json or json.dumps(asdict)
import json
from dataclasses import asdict, dataclass, is_dataclass

from pydantic import BaseModel
from pydantic.dataclasses import dataclass as pdataclass


class ProductModel(BaseModel):
    name: str
    price: float
    quantity: int = 0


@dataclass
class ProductDC:
    name: str
    price: float
    quantity: int = 0


@pdataclass
class ProductPDC:
    name: str
    price: float
    quantity: int = 0


def to_json(obj) -> str:
    if isinstance(obj, BaseModel):
        return obj.model_dump_json()
    if is_dataclass(obj):
        return json.dumps(asdict(obj), ensure_ascii=False)
    raise TypeError(type(obj))
