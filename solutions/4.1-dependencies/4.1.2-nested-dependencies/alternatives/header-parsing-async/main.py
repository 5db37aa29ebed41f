from collections import Counter
from collections.abc import AsyncIterator
from functools import lru_cache

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException
from pydantic_settings import BaseSettings
from sqlalchemy import Engine, String, create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

# How many times each dependency has run since the module loaded (or since CALLS.clear()).
CALLS: Counter[str] = Counter()


class Settings(BaseSettings):
    """Read from the environment: DATABASE_URL=sqlite:///./other.db fastapi dev main.py"""

    database_url: str = "sqlite:///./app.db"


@lru_cache
def get_settings() -> Settings:
    return Settings()


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    token: Mapped[str] = mapped_column(String(100), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    is_admin: Mapped[bool] = mapped_column(default=False)


@lru_cache
def engine_for(database_url: str) -> Engine:
    """One engine per database URL, created on first use and then reused."""
    engine = create_engine(database_url, connect_args={"check_same_thread": False})
    Base.metadata.create_all(engine)
    return engine


async def get_db(settings: Settings = Depends(get_settings)) -> AsyncIterator[Session]:
    CALLS["get_db"] += 1
    with Session(engine_for(settings.database_url)) as session:
        yield session


async def get_current_user(
    db: Session = Depends(get_db), authorization: str | None = Header(default=None)
) -> User:
    CALLS["get_current_user"] += 1
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "Bearer"})
    user = db.scalars(select(User).where(User.token == token)).one_or_none()
    if user is None:
        raise HTTPException(401, "Unknown token", headers={"WWW-Authenticate": "Bearer"})
    return user


async def get_active_user(user: User = Depends(get_current_user)) -> User:
    CALLS["get_active_user"] += 1
    if not user.is_active:
        raise HTTPException(403, "This account is disabled")
    return user


async def get_admin_user(user: User = Depends(get_active_user)) -> User:
    CALLS["get_admin_user"] += 1
    if not user.is_admin:
        raise HTTPException(403, "Administrators only")
    return user


admin = APIRouter(prefix="/admin")


@admin.get("/report")
async def report(
    me: User = Depends(get_current_user),
    _admin: User = Depends(get_admin_user),
    db: Session = Depends(get_db),
):
    total = db.scalar(select(func.count(User.id)))
    active = db.scalar(select(func.count(User.id)).where(User.is_active.is_(True)))
    return {"requested_by": me.username, "users": total, "active_users": active}


app = FastAPI()
app.include_router(admin)


@app.get("/me")
async def me(user: User = Depends(get_active_user)):
    return {"username": user.username, "is_admin": user.is_admin}
