"""Pool settings from the environment, and an engine built from them."""

from pydantic_settings import BaseSettings
from sqlalchemy import Engine, create_engine


class Settings(BaseSettings):
    """TODO (Task 1): the pool settings, read from DB_URL, DB_POOL_SIZE, ..."""

    db_url: str = "sqlite:///./app.db"


def make_engine(settings: Settings) -> Engine:
    # TODO (Tasks 2-4): pass the pool settings, handle in-memory SQLite, reject a pool size < 1.
    return create_engine(settings.db_url)
