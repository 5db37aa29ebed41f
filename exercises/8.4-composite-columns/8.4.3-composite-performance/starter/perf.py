"""Query plans: which address lookups can use an index."""

from sqlalchemy import func, literal_column, select  # noqa: F401
from sqlalchemy.orm import Session

from models import Customer, CustomerJson


def explain(session: Session, stmt) -> str:
    raise NotImplementedError  # TODO (Task 2)


def find_city(session: Session, city: str, postal_code: str | None = None) -> list[Customer]:
    stmt = select(Customer).where(Customer.city == city)
    if postal_code is not None:
        stmt = stmt.where(Customer.postal_code == postal_code)
    return list(session.scalars(stmt.order_by(Customer.id)))


def find_city_json(session: Session, city: str) -> list[CustomerJson]:
    stmt = (
        select(CustomerJson)
        .where(CustomerJson.address["city"].as_string() == city)
        .order_by(CustomerJson.id)
    )
    return list(session.scalars(stmt))


def find_city_json_indexed(session: Session, city: str) -> list[CustomerJson]:
    raise NotImplementedError  # TODO (Task 3): json_extract with a literal path
