"""One engine factory, three deployment modes."""

from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool, StaticPool


def engine_for(
    mode: str,
    url: str,
    *,
    pool_size: int | None = None,
    max_overflow: int | None = None,
    pool_timeout: float | None = None,
) -> Engine:
    if mode == "web":
        overrides = {
            "pool_size": pool_size,
            "max_overflow": max_overflow,
            "pool_timeout": pool_timeout,
        }
        given = {name: value for name, value in overrides.items() if value is not None}
        return create_engine(url, **given)  # a server database or a SQLite file: QueuePool
    if mode in ("serverless", "pgbouncer"):
        # Nothing to keep between invocations, or PgBouncer pools already: open and close.
        return create_engine(url, poolclass=NullPool)
    if mode == "tests":
        return create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    raise ValueError(f"unknown mode {mode!r}: expected web, serverless, pgbouncer or tests")
