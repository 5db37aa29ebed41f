"""A plain dataclass reading os.environ, and a pool built explicitly with poolclass."""

import os
from dataclasses import dataclass, field

from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import QueuePool, StaticPool


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _flag(name: str, default: str) -> bool:
    return _env(name, default).strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Settings:
    db_url: str = field(default_factory=lambda: _env("DB_URL", "sqlite:///./app.db"))
    db_pool_size: int = field(default_factory=lambda: int(_env("DB_POOL_SIZE", "5")))
    db_max_overflow: int = field(default_factory=lambda: int(_env("DB_MAX_OVERFLOW", "10")))
    db_pool_timeout: float = field(default_factory=lambda: float(_env("DB_POOL_TIMEOUT", "30")))
    db_pool_recycle: int = field(default_factory=lambda: int(_env("DB_POOL_RECYCLE", "1800")))
    db_pre_ping: bool = field(default_factory=lambda: _flag("DB_PRE_PING", "true"))


MEMORY_URLS = {
    "sqlite://",
    "sqlite:///:memory:",
    "sqlite+pysqlite://",
    "sqlite+pysqlite:///:memory:",
}


def make_engine(settings: Settings) -> Engine:
    if settings.db_pool_size < 1:
        raise ValueError("the pool needs at least one connection")
    if settings.db_url in MEMORY_URLS:
        return create_engine(
            settings.db_url, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    return create_engine(
        settings.db_url,
        poolclass=QueuePool,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle,
        pool_pre_ping=settings.db_pre_ping,
    )
