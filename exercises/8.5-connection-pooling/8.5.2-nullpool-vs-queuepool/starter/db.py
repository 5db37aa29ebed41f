"""One engine factory, three deployment modes."""

from sqlalchemy import Engine, create_engine


def engine_for(
    mode: str,
    url: str,
    *,
    pool_size: int | None = None,
    max_overflow: int | None = None,
    pool_timeout: float | None = None,
) -> Engine:
    # TODO (Tasks 1-4): pick the pool for the mode; apply the overrides in web mode.
    return create_engine(url)
