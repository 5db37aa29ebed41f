"""A FastAPI app whose engine, and pool, live in the lifespan."""

import os

from fastapi import FastAPI
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select

metadata = MetaData()
items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
)

# TODO (Task 1): build the engine in a lifespan instead, store it on app.state, dispose of it.
engine = create_engine(os.environ.get("DATABASE_URL", "sqlite:///./app.db"))
metadata.create_all(engine)

app = FastAPI()


@app.get("/items")
def list_items() -> list[dict]:
    # TODO (Task 2): one pooled connection per request, returned whatever happens.
    with engine.connect() as conn:
        rows = conn.execute(select(items.c.id, items.c.name).order_by(items.c.id))
        return [{"id": row.id, "name": row.name} for row in rows]


# TODO (Task 3): 503 with Retry-After when the pool or the database fails.
# TODO (Task 4): GET /health/db
