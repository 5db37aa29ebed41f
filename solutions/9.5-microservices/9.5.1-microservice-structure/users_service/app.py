from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


class Base(DeclarativeBase):
    """This service's own Base: its metadata holds the users service's tables only."""


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class UserCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


DB = Annotated[Session, Depends(get_db)]


def create_app(database_url: str = "sqlite:///./users.db") -> FastAPI:
    # Building an engine does not connect: the database is first opened at startup.
    engine = create_engine(database_url, connect_args={"check_same_thread": False})

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        Base.metadata.create_all(engine)
        yield
        engine.dispose()

    app = FastAPI(title="users", lifespan=lifespan)
    app.state.engine = engine
    app.state.sessions = sessionmaker(bind=engine, expire_on_commit=False)

    @app.post("/users", status_code=201, response_model=UserRead)
    def create_user(body: UserCreate, db: DB) -> User:
        user = User(name=body.name)
        db.add(user)
        db.commit()
        return user

    @app.get("/users/{user_id}", response_model=UserRead)
    def read_user(user_id: int, db: DB) -> User:
        user = db.get(User, user_id)
        if user is None:
            raise HTTPException(status_code=404, detail="user not found")
        return user

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}

    @app.get("/ready")
    def ready():
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return {"status": "ready"}

    return app
