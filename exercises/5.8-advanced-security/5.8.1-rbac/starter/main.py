"""Articles and users: the data side works, the access control is yours (Tasks 1-4)."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer  # noqa: F401
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

# 32+ bytes (PyJWT warns about shorter HMAC keys). A real app reads it from the environment.
SECRET_KEY = "8c1f0e2d7b6a59483726150f4e3d2c1b0a99887766554433"
ALGORITHM = "HS256"

DATABASE_URL = "sqlite:///./rbac.db"
engine = create_engine(DATABASE_URL, connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)

# TODO: Task 2 - the three roles and their permissions (user ⊂ editor ⊂ admin)
ROLE_PERMISSIONS: dict[str, set[str]] = {}


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(50), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str]
    author: Mapped[str] = mapped_column(String(50))  # the author's username


class ArticleCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body: str


class ArticleUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = None


class ArticleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    body: str
    author: str


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=50)
    display_name: str = Field(min_length=1, max_length=100)
    role: str


class UserUpdate(BaseModel):
    """What an admin may change about any user."""

    display_name: str | None = Field(default=None, min_length=1, max_length=100)
    role: str | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    username: str
    display_name: str
    role: str


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


def create_access_token(username: str, role: str, minutes: int = 30) -> str:
    """The token a login would hand out (the login itself is not part of this exercise)."""
    claims = {
        "sub": username,
        "role": role,
        "exp": datetime.now(UTC) + timedelta(minutes=minutes),
    }
    return jwt.encode(claims, SECRET_KEY, algorithm=ALGORITHM)


# TODO: Task 1 - a dependency that decodes the bearer JWT (401 + WWW-Authenticate: Bearer for
#       anything but a valid token) and gives the caller's username and role


# TODO: Task 2 - require_permission(permission) and require_roles(*roles), each returning a
#       dependency; a role that ROLE_PERMISSIONS does not know gets 403


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)

Db = Annotated[Session, Depends(get_db)]


def _article_or_404(db: Session, article_id: int) -> Article:
    article = db.get(Article, article_id)
    if article is None:
        raise HTTPException(status_code=404, detail="Article not found")
    return article


# TODO: Task 3 - every article route declares the permission it needs


@app.get("/articles", response_model=list[ArticleRead])
def list_articles(db: Db) -> list[Article]:
    return list(db.scalars(select(Article).order_by(Article.id)))


@app.get("/articles/{article_id}", response_model=ArticleRead)
def read_article(article_id: int, db: Db) -> Article:
    return _article_or_404(db, article_id)


@app.post("/articles", response_model=ArticleRead, status_code=status.HTTP_201_CREATED)
def create_article(data: ArticleCreate, db: Db) -> Article:
    article = Article(title=data.title, body=data.body, author="TODO: the caller")
    db.add(article)
    db.commit()
    return article


@app.patch("/articles/{article_id}", response_model=ArticleRead)
def update_article(article_id: int, data: ArticleUpdate, db: Db) -> Article:
    article = _article_or_404(db, article_id)
    # TODO: Task 3 - update:any, or update:own for the article's author only
    for field, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(article, field, value)
    db.commit()
    return article


@app.delete("/articles/{article_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_article(article_id: int, db: Db) -> Response:
    db.delete(_article_or_404(db, article_id))
    db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# TODO: Task 4 - the user routes are for admins only


@app.get("/users", response_model=list[UserRead])
def list_users(db: Db) -> list[User]:
    return list(db.scalars(select(User).order_by(User.username)))


@app.post("/users", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(data: UserCreate, db: Db) -> User:
    user = User(**data.model_dump())
    db.add(user)
    db.commit()
    return user


# TODO: Task 4 - GET /users/me and PATCH /users/me (its display_name only), declared before
#       PATCH /users/{username} so that "me" is not taken for a username


@app.patch("/users/{username}", response_model=UserRead)
def update_user(username: str, data: UserUpdate, db: Db) -> User:
    user = db.get(User, username)
    if user is None:
        raise HTTPException(status_code=404, detail="No such user")
    for field, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(user, field, value)
    db.commit()
    return user
