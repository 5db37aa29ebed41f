from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status  # noqa: F401
from pwdlib import PasswordHash
from pydantic import BaseModel, ConfigDict, EmailStr, Field, SecretStr, field_validator  # noqa: F401
from sqlalchemy import DateTime, String, create_engine, func
from sqlalchemy.exc import IntegrityError  # noqa: F401
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

DATABASE_URL = "sqlite:///./users.db"

engine = create_engine(DATABASE_URL)
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)

# Hash and verify passwords through this object (password_hash.hash(...)): the tests swap it
# for a faster one.
password_hash = PasswordHash.recommended()  # Argon2id


class Base(DeclarativeBase):
    pass


class User(Base):  # keep the model as it is
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    hashed_password: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


# TODO: Task 1 - UserCreate: email (EmailStr), password (SecretStr, at least 8 characters);
#       any other key (is_admin!) is refused: model_config = ConfigDict(extra="forbid")
class UserCreate(BaseModel):
    pass


# TODO: Task 1 - UserRead: id, email, created_at and nothing else, read from a User object
class UserRead(BaseModel):
    pass


# TODO: Task 1 - UserUpdate: email and password, both optional (left out = unchanged) but
#       never null, same rules as UserCreate, other keys refused
class UserUpdate(BaseModel):
    pass


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)  # creates users.db when the server starts
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)


# TODO: Task 2 - POST /users: a UserCreate body; store a User whose hashed_password is
#       password_hash.hash(<the password>), answer 201 with a UserRead; a taken email is a 409.
#       GET /users/{user_id}: the UserRead, or 404.


# TODO: Task 3 - PATCH /users/{user_id}: a UserUpdate body; change only the fields sent
#       (model_dump(exclude_unset=True)), re-hash a new password; answer the UserRead;
#       404 for an unknown user, 409 for a taken email
