"""A table of pool classes, the QueuePool named explicitly."""

from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool, QueuePool, StaticPool

POOLS = {
    "web": QueuePool,
    "serverless": NullPool,
    "pgbouncer": NullPool,
    "tests": StaticPool,
}


def engine_for(mode, url, *, pool_size=None, max_overflow=None, pool_timeout=None):
    try:
        poolclass = POOLS[mode]
    except KeyError:
        raise ValueError(f"no such mode: {mode}") from None
    options = {"poolclass": poolclass}
    if poolclass is QueuePool:
        options["pool_size"] = 5 if pool_size is None else pool_size
        options["max_overflow"] = 10 if max_overflow is None else max_overflow
        options["pool_timeout"] = 30 if pool_timeout is None else pool_timeout
    if poolclass is StaticPool:
        options["connect_args"] = {"check_same_thread": False}
    return create_engine(url, **options)
