# WRONG: PATCH uses model_dump() without exclude_unset: a field left out overwrites the row
# with None.
"""Users behind three schemas: what a client may send (UserCreate, UserUpdate) and what it may
see (UserRead) are each a subset of the User row, chosen on purpose."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from pwdlib import PasswordHash
from pydantic import BaseModel, ConfigDict, EmailStr, Field, SecretStr, field_validator
from sqlalchemy import DateTime, String, create_engine, func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

DATABASE_URL = "sqlite:///./users.db"

engine = create_engine(DATABASE_URL)
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)

password_hash = PasswordHash.recommended()  # Argon2id


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    hashed_password: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# --- schemas ------------------------------------------------------------------------------


class UserCreate(BaseModel):
    # Only what a client may choose. extra="forbid" turns {"is_admin": true} into a 422
    # instead of silently dropping it (or, worse, copying it onto the row).
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: SecretStr = Field(min_length=8)  # repr, str and JSON show "**********"


class UserRead(BaseModel):
    # Only what a client may see: no hashed_password, no is_admin.
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: EmailStr
    created_at: datetime


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr | None = None
    password: SecretStr | None = Field(default=None, min_length=8)

    @field_validator("email", "password")
    @classmethod
    def not_null(cls, value: object) -> object:
        # Defaults are not validated, so this only runs for values the client actually sent.
        if value is None:
            raise ValueError("may be left out, but not set to null")
        return value


# --- app ----------------------------------------------------------------------------------


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)


def get_user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="user not found")
    return user


def commit_or_409(db: Session) -> None:
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise HTTPException(
            status_code=status.HTTP_409_CONFLICT, detail="email already registered"
        ) from None


@app.post("/users", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(payload: UserCreate, db: DbSession) -> User:
    user = User(
        email=payload.email,
        hashed_password=password_hash.hash(payload.password.get_secret_value()),
    )
    db.add(user)
    commit_or_409(db)
    return user


@app.get("/users/{user_id}", response_model=UserRead)
def read_user(user_id: int, db: DbSession) -> User:
    return get_user(db, user_id)


@app.patch("/users/{user_id}", response_model=UserRead)
def update_user(user_id: int, patch: UserUpdate, db: DbSession) -> User:
    user = get_user(db, user_id)
    changes = patch.model_dump()
    password = changes.pop("password")
    if password is not None:
        user.hashed_password = password_hash.hash(password.get_secret_value())
    for field, value in changes.items():
        setattr(user, field, value)
    commit_or_409(db)
    return user
