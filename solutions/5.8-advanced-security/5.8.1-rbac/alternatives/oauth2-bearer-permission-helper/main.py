"""Articles and users behind RBAC, with OAuth2PasswordBearer reading the token."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException, Response, status
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

# 32+ bytes (PyJWT warns about shorter HMAC keys). A real app reads it from the environment.
SECRET_KEY = "8c1f0e2d7b6a59483726150f4e3d2c1b0a99887766554433"
ALGORITHM = "HS256"

DATABASE_URL = "sqlite:///./rbac.db"
engine = create_engine(DATABASE_URL, connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)

ROLE_PERMISSIONS: dict[str, set[str]] = {
    "user": {"articles:read", "articles:create", "articles:update:own"},
    "editor": {"articles:read", "articles:create", "articles:update:own", "articles:update:any"},
    "admin": {
        "articles:read",
        "articles:create",
        "articles:update:own",
        "articles:update:any",
        "articles:delete",
    },
}


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


oauth2 = OAuth2PasswordBearer(tokenUrl="token")


class CurrentUser(BaseModel):
    username: str
    role: str


def get_current_user(token: Annotated[str, Depends(oauth2)]) -> CurrentUser:
    try:
        payload = jwt.decode(
            token, SECRET_KEY, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]}
        )
    except jwt.PyJWTError:
        raise HTTPException(401, "Could not validate credentials", {"WWW-Authenticate": "Bearer"})
    role = payload.get("role")
    if not isinstance(role, str) or role not in ROLE_PERMISSIONS:
        raise HTTPException(403, "Unknown role")
    return CurrentUser(username=payload["sub"], role=role)


def has_permission(user: CurrentUser, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(user.role, set())


def require_permission(permission: str):
    def checker(user: Annotated[CurrentUser, Depends(get_current_user)]) -> CurrentUser:
        if not has_permission(user, permission):
            raise HTTPException(403, f"Missing permission {permission}")
        return user

    return checker


def require_roles(*roles: str):
    def checker(user: Annotated[CurrentUser, Depends(get_current_user)]) -> CurrentUser:
        if user.role not in roles:
            raise HTTPException(403, "Role not allowed")
        return user

    return checker


def require_update(user: Annotated[CurrentUser, Depends(get_current_user)]) -> CurrentUser:
    if not (
        has_permission(user, "articles:update:any") or has_permission(user, "articles:update:own")
    ):
        raise HTTPException(403, "Cannot update articles")
    return user


class ProfileUpdate(BaseModel):
    display_name: str = Field(min_length=1, max_length=100)


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


@app.get(
    "/articles",
    response_model=list[ArticleRead],
    dependencies=[Depends(require_permission("articles:read"))],
)
def list_articles(db: Db) -> list[Article]:
    return list(db.scalars(select(Article).order_by(Article.id)))


@app.get(
    "/articles/{article_id}",
    response_model=ArticleRead,
    dependencies=[Depends(require_permission("articles:read"))],
)
def read_article(article_id: int, db: Db) -> Article:
    return _article_or_404(db, article_id)


@app.post("/articles", response_model=ArticleRead, status_code=status.HTTP_201_CREATED)
def create_article(
    data: ArticleCreate,
    db: Db,
    user: Annotated[CurrentUser, Depends(require_permission("articles:create"))],
) -> Article:
    article = Article(title=data.title, body=data.body, author=user.username)
    db.add(article)
    db.commit()
    return article


@app.patch("/articles/{article_id}", response_model=ArticleRead)
def update_article(
    article_id: int,
    data: ArticleUpdate,
    db: Db,
    user: Annotated[CurrentUser, Depends(require_update)],
) -> Article:
    article = _article_or_404(db, article_id)
    if not has_permission(user, "articles:update:any") and article.author != user.username:
        raise HTTPException(403, "Not your article")
    for field, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(article, field, value)
    db.commit()
    return article


@app.delete("/articles/{article_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_article(
    article_id: int,
    db: Db,
    _: Annotated[CurrentUser, Depends(require_permission("articles:delete"))],
) -> Response:
    db.delete(_article_or_404(db, article_id))
    db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@app.get("/users", response_model=list[UserRead], dependencies=[Depends(require_roles("admin"))])
def list_users(db: Db) -> list[User]:
    return list(db.scalars(select(User).order_by(User.username)))


@app.post(
    "/users",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_roles("admin"))],
)
def create_user(data: UserCreate, db: Db) -> User:
    user = User(**data.model_dump())
    db.add(user)
    db.commit()
    return user


@app.get("/users/me", response_model=UserRead)
def read_me(db: Db, user: Annotated[CurrentUser, Depends(get_current_user)]) -> User:
    row = db.get(User, user.username)
    if row is None:
        raise HTTPException(404, "No such user")
    return row


@app.patch("/users/me", response_model=UserRead)
def update_me(
    data: ProfileUpdate, db: Db, user: Annotated[CurrentUser, Depends(get_current_user)]
) -> User:
    row = db.get(User, user.username)
    if row is None:
        raise HTTPException(404, "No such user")
    row.display_name = data.display_name
    db.commit()
    return row


@app.patch(
    "/users/{username}", response_model=UserRead, dependencies=[Depends(require_roles("admin"))]
)
def update_user(username: str, data: UserUpdate, db: Db) -> User:
    user = db.get(User, username)
    if user is None:
        raise HTTPException(status_code=404, detail="No such user")
    for field, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(user, field, value)
    db.commit()
    return user
