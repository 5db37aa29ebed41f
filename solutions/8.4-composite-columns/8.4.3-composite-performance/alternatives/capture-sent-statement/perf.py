"""Query plans: which address lookups can use an index."""

from models import Customer, CustomerJson, json_city
from sqlalchemy import event, select
from sqlalchemy.orm import Session


def explain(session: Session, stmt) -> str:
    """SQLite's EXPLAIN QUERY PLAN for `stmt`, exactly as SQLAlchemy sends it.

    The statement is run through the session once; a cursor hook captures the final SQL
    string and its already-processed parameters (JSON paths, expanded IN lists...), which are
    then given, still as bound parameters, to EXPLAIN QUERY PLAN on the same connection.
    """
    conn = session.connection()
    captured: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _executemany):
        captured.append((statement, parameters))

    event.listen(conn, "before_cursor_execute", capture)
    try:
        session.execute(stmt).close()
    finally:
        event.remove(conn, "before_cursor_execute", capture)

    statement, parameters = captured[-1]
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return "\n".join(str(row[-1]) for row in rows)


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
        .where(json_city(CustomerJson.address) == city)
        .order_by(CustomerJson.id)
    )
    return list(session.scalars(stmt))
