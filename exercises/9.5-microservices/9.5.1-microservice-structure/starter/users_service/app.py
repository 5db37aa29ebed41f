from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """The users service's own Base."""


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


def create_app(database_url: str = "sqlite:///./users.db") -> FastAPI:
    engine = create_engine(database_url, connect_args={"check_same_thread": False})

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        Base.metadata.create_all(engine)
        yield
        engine.dispose()

    app = FastAPI(title="users", lifespan=lifespan)

    # TODO: POST /users, GET /users/{user_id}, GET /health, GET /ready

    return app
