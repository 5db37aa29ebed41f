"""Query plans: which address lookups can use an index."""

from models import Customer, CustomerJson
from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session


def explain(session: Session, stmt) -> str:
    """SQLite's plan for `stmt`, run with its own bound parameters: one line per plan step."""
    # render_postcompile: an in_() list becomes "IN (?, ?)" with one parameter per value, as
    # SQLAlchemy sends it (without it the SQL holds a [POSTCOMPILE_...] placeholder)
    compiled = stmt.compile(session.get_bind(), compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params()
    params = tuple(values[name] for name in compiled.positiontup or ())
    rows = (
        session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled.string}", params).all()
    )
    return "\n".join(row[-1] for row in rows)


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
    path = literal_column("'$.city'")  # literal, so the expression matches the index
    stmt = (
        select(CustomerJson)
        .where(func.json_extract(CustomerJson.address, path) == city)
        .order_by(CustomerJson.id)
    )
    return list(session.scalars(stmt))
