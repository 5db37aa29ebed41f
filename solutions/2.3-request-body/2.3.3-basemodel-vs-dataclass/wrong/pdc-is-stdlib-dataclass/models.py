# WRONG: decorates ProductPDC with the stdlib @dataclass as well, so it never validates.
from dataclasses import dataclass

from pydantic import BaseModel, TypeAdapter


class ProductModel(BaseModel):
    """Validates and coerces on construction; has model_dump(), model_dump_json(), ..."""

    name: str
    price: float
    quantity: int = 0


@dataclass
class ProductDC:
    """A plain dataclass: __init__ stores whatever it is given, no checks."""

    name: str
    price: float
    quantity: int = 0


@dataclass
class ProductPDC:
    """A dataclass whose generated __init__ validates like a BaseModel."""

    name: str
    price: float
    quantity: int = 0


def to_json(obj: ProductModel | ProductDC | ProductPDC) -> str:
    """Serialise any of the three; a TypeAdapter handles models and both kinds of dataclass."""
    return TypeAdapter(type(obj)).dump_json(obj).decode()
