"""Query plans: which address lookups can use an index."""

from models import Customer, CustomerJson
from sqlalchemy import select, text
from sqlalchemy.orm import Session


def explain(session: Session, stmt) -> str:
    compiled = stmt.compile(bind=session.get_bind(), compile_kwargs={"render_postcompile": True})
    sql = str(compiled)
    params = [compiled.params[k] for k in compiled.positiontup]
    result = session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, tuple(params))
    return "\n".join(r.detail for r in result)


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

    stmt = (
        select(CustomerJson)
        .where(text("json_extract(customers_json.address, '$.city') = :c"))
        .params(c=city)
    )
    return session.scalars(stmt.order_by(CustomerJson.id)).all()
