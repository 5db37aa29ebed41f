"""A small shop API. It works, and it has four vulnerabilities (see the README): fix them
without changing the API's shape."""

import hmac
from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ForeignKey, String, create_engine, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

engine = create_engine("sqlite:///shop.db", connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    full_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    is_admin: Mapped[bool] = mapped_column(default=False)
    token_secret: Mapped[str] = mapped_column(String(64))


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    price: Mapped[float]


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    item: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int]
    total: Mapped[float]


class ProductRead(BaseModel):
    id: int
    name: str
    price: float


class OrderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    item: str
    quantity: int
    total: float


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    full_name: str
    email: str
    is_admin: bool


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: str = Field(default=None, max_length=100)
    email: str = Field(default=None, max_length=200)


@asynccontextmanager
async def lifespan(app: FastAPI):
    Base.metadata.create_all(engine)
    yield


app = FastAPI(lifespan=lifespan)


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]

bearer = HTTPBearer(auto_error=False)


def not_authenticated() -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Not authenticated",
        headers={"WWW-Authenticate": "Bearer"},
    )


def get_current_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    db: DbSession,
) -> User:
    """A token is "<user id>.<secret>": find the user by id, then compare the secret."""
    if credentials is None:
        raise not_authenticated()
    user_id, _, secret = credentials.credentials.partition(".")
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) <= 18):
        raise not_authenticated()
    user = db.get(User, int(user_id))
    if user is None or not hmac.compare_digest(
        user.token_secret.encode("utf-8"), secret.encode("utf-8")
    ):
        raise not_authenticated()
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


@app.get("/products", response_model=list[ProductRead])
def search_products(name: str, db: DbSession) -> list[dict]:
    rows = db.execute(
        text("SELECT id, name, price FROM products WHERE name = :n ORDER BY id").bindparams(n=name)
    )
    return [dict(row._mapping) for row in rows]


@app.get("/orders", response_model=list[OrderRead])
def list_my_orders(user: CurrentUser, db: DbSession) -> list[Order]:
    return list(db.scalars(select(Order).where(Order.user_id == user.id).order_by(Order.id)))


@app.get("/orders/{order_id}", response_model=OrderRead)
def read_order(order_id: int, user: CurrentUser, db: DbSession) -> Order:
    order = db.get(Order, order_id)
    if order is not None and order.user_id != user.id:
        order = None
    if order is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Order not found")
    return order


@app.get("/users/me", response_model=UserRead)
def read_me(user: CurrentUser) -> User:
    return user


@app.patch("/users/me", response_model=UserRead)
def update_me(changes: UserUpdate, user: CurrentUser, db: DbSession) -> User:
    for field, value in changes.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(user, field, value)
    db.commit()
    return user


@app.get("/admin/users", response_model=list[UserRead])
def list_users(user: CurrentUser, db: DbSession) -> list[User]:
    if not user.is_admin:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Admins only")
    return list(db.scalars(select(User).order_by(User.id)))
