# ALTERNATIVE: bcrypt hasher, Annotated fields, a SELECT before the INSERT (IntegrityError as the
# backstop), PATCH driven by model_fields_set, GET through select()
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from pwdlib import PasswordHash
from pwdlib.hashers.bcrypt import BcryptHasher
from pydantic import BaseModel, ConfigDict, EmailStr, Field, SecretStr, field_validator
from sqlalchemy import DateTime, String, create_engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

engine = create_engine("sqlite:///./users.db")
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)

password_hash = PasswordHash((BcryptHasher(),))


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    hashed_password: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


Password = Annotated[SecretStr, Field(min_length=8)]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr
    password: Password


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str
    created_at: datetime


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr | None = None
    password: Password | None = None

    @field_validator("*", mode="before")
    @classmethod
    def no_nulls(cls, value):
        if value is None:
            raise ValueError("null is not allowed; leave the field out instead")
        return value


def get_db() -> Iterator[Session]:
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)


def email_taken(db: Session, email: str, other_than: int | None = None) -> bool:
    stmt = select(User.id).where(User.email == email)
    if other_than is not None:
        stmt = stmt.where(User.id != other_than)
    return db.scalar(stmt) is not None


def save(db: Session) -> None:
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise HTTPException(409, "email already registered") from None


@app.post("/users", status_code=201)
def create_user(body: UserCreate, db: Session = Depends(get_db)) -> UserRead:
    if email_taken(db, body.email):
        raise HTTPException(409, "email already registered")
    user = User(
        email=body.email, hashed_password=password_hash.hash(body.password.get_secret_value())
    )
    db.add(user)
    save(db)
    return UserRead.model_validate(user)


@app.get("/users/{user_id}")
def read_user(user_id: int, db: Session = Depends(get_db)) -> UserRead:
    user = db.scalar(select(User).where(User.id == user_id))
    if user is None:
        raise HTTPException(404, "no such user")
    return UserRead.model_validate(user)


@app.patch("/users/{user_id}")
def update_user(user_id: int, body: UserUpdate, db: Session = Depends(get_db)) -> UserRead:
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(404, "no such user")
    if "email" in body.model_fields_set:
        if email_taken(db, body.email, other_than=user_id):
            raise HTTPException(409, "email already registered")
        user.email = body.email
    if "password" in body.model_fields_set:
        user.hashed_password = password_hash.hash(body.password.get_secret_value())
    save(db)
    return UserRead.model_validate(user)
