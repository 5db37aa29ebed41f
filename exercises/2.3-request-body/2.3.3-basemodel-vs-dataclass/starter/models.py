from pydantic import BaseModel


class ProductModel(BaseModel):
    # TODO: Task 1 - name: str, price: float, quantity: int = 0
    pass


# TODO: Task 1 - a standard-library dataclass with the same fields
class ProductDC:
    pass


# TODO: Task 1 - a pydantic dataclass with the same fields
class ProductPDC:
    pass


def to_json(obj) -> str:
    # TODO: Task 2 - a JSON string for an instance of any of the three classes
    raise NotImplementedError
