"""Settings validate the pool size themselves; the memory URL is recognised by its text."""

from pydantic import Field
from pydantic_settings import BaseSettings
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import StaticPool


class Settings(BaseSettings):
    db_url: str = "sqlite:///./app.db"
    db_pool_size: int = Field(default=5, ge=1)
    db_max_overflow: int = 10
    db_pool_timeout: float = 30.0
    db_pool_recycle: int = 1800
    db_pre_ping: bool = True


def make_engine(settings: Settings) -> Engine:
    url = settings.db_url
    if url.startswith("sqlite") and (":memory:" in url or url.rstrip("/").endswith("sqlite:")):
        return create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle,
        pool_pre_ping=settings.db_pre_ping,
    )
