"""Pool settings from the environment, and an engine built from them."""

from pydantic_settings import BaseSettings
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool


class Settings(BaseSettings):
    """Read from the environment each time Settings() is built (DB_URL, DB_POOL_SIZE, ...)."""

    db_url: str = "sqlite:///./app.db"
    db_pool_size: int = 5
    db_max_overflow: int = 10
    db_pool_timeout: float = 30
    db_pool_recycle: int = 1800
    db_pre_ping: bool = True


def is_memory_sqlite(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def make_engine(settings: Settings) -> Engine:
    if settings.db_pool_size < 1:
        raise ValueError(f"DB_POOL_SIZE must be at least 1, got {settings.db_pool_size}")
    if is_memory_sqlite(settings.db_url):
        # One in-memory database lives in one connection: share it, ignore the pool settings.
        return create_engine(
            settings.db_url,
            connect_args={"check_same_thread": False},
            poolclass=StaticPool,
        )
    return create_engine(
        settings.db_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle,
        pool_pre_ping=settings.db_pre_ping,
    )
