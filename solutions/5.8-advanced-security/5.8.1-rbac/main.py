"""Articles and users behind role-based access control: a bearer JWT says who calls and with
which role, ROLE_PERMISSIONS says what each role may do, and every route declares what it needs
as a dependency."""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, HTTPException, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

# 32+ bytes (PyJWT warns about shorter HMAC keys). A real app reads it from the environment.
SECRET_KEY = "8c1f0e2d7b6a59483726150f4e3d2c1b0a99887766554433"
ALGORITHM = "HS256"

DATABASE_URL = "sqlite:///./rbac.db"
engine = create_engine(DATABASE_URL, connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)

_USER = {"articles:read", "articles:create", "articles:update:own"}
_EDITOR = _USER | {"articles:update:any"}
_ADMIN = _EDITOR | {"articles:delete"}

# The one place that says what a role may do; read at every request.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    "user": set(_USER),
    "editor": set(_EDITOR),
    "admin": set(_ADMIN),
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


class ProfileUpdate(BaseModel):
    """What a user may change about themselves: never their role."""

    display_name: str = Field(min_length=1, max_length=100)


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


# --- who is calling -----------------------------------------------------------------------------

bearer = HTTPBearer()  # no Bearer credentials: 401 with WWW-Authenticate: Bearer


@dataclass(frozen=True)
class Caller:
    username: str
    role: str
    permissions: frozenset[str]


def _unauthorized() -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Invalid or expired token",
        headers={"WWW-Authenticate": "Bearer"},
    )


def _forbidden() -> HTTPException:
    return HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Not allowed")


def get_caller(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
) -> Caller:
    try:
        claims = jwt.decode(
            credentials.credentials,
            SECRET_KEY,
            algorithms=[ALGORITHM],
            options={"require": ["sub", "exp"]},
        )
    except jwt.InvalidTokenError:
        raise _unauthorized() from None
    role = claims.get("role")
    # A role the table does not know (or no role at all) grants nothing.
    if not isinstance(role, str) or role not in ROLE_PERMISSIONS:
        raise _forbidden()
    return Caller(claims["sub"], role, frozenset(ROLE_PERMISSIONS[role]))


CurrentCaller = Annotated[Caller, Depends(get_caller)]


def require_permission(permission: str) -> Callable[[Caller], Caller]:
    def dependency(caller: CurrentCaller) -> Caller:
        if permission not in caller.permissions:
            raise _forbidden()
        return caller

    return dependency


def require_roles(*roles: str) -> Callable[[Caller], Caller]:
    allowed = frozenset(roles)

    def dependency(caller: CurrentCaller) -> Caller:
        if caller.role not in allowed:
            raise _forbidden()
        return caller

    return dependency


def require_any_permission(*permissions: str) -> Callable[[Caller], Caller]:
    def dependency(caller: CurrentCaller) -> Caller:
        if caller.permissions.isdisjoint(permissions):
            raise _forbidden()
        return caller

    return dependency


# --- the app ------------------------------------------------------------------------------------


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


@app.get("/articles", response_model=list[ArticleRead])
def list_articles(
    db: Db, _: Annotated[Caller, Depends(require_permission("articles:read"))]
) -> list[Article]:
    return list(db.scalars(select(Article).order_by(Article.id)))


@app.get("/articles/{article_id}", response_model=ArticleRead)
def read_article(
    article_id: int,
    db: Db,
    _: Annotated[Caller, Depends(require_permission("articles:read"))],
) -> Article:
    return _article_or_404(db, article_id)


@app.post("/articles", response_model=ArticleRead, status_code=status.HTTP_201_CREATED)
def create_article(
    data: ArticleCreate,
    db: Db,
    caller: Annotated[Caller, Depends(require_permission("articles:create"))],
) -> Article:
    article = Article(title=data.title, body=data.body, author=caller.username)
    db.add(article)
    db.commit()
    return article


@app.patch("/articles/{article_id}", response_model=ArticleRead)
def update_article(
    article_id: int,
    data: ArticleUpdate,
    db: Db,
    caller: Annotated[
        Caller,
        Depends(require_any_permission("articles:update:any", "articles:update:own")),
    ],
) -> Article:
    article = _article_or_404(db, article_id)
    may_update = "articles:update:any" in caller.permissions or (
        "articles:update:own" in caller.permissions and article.author == caller.username
    )
    if not may_update:
        raise _forbidden()
    for field, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(article, field, value)
    db.commit()
    return article


@app.delete("/articles/{article_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_article(
    article_id: int,
    db: Db,
    _: Annotated[Caller, Depends(require_permission("articles:delete"))],
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


def _me_or_404(db: Session, caller: Caller) -> User:
    user = db.get(User, caller.username)
    if user is None:
        raise HTTPException(status_code=404, detail="No such user")
    return user


@app.get("/users/me", response_model=UserRead)
def read_me(db: Db, caller: CurrentCaller) -> User:
    return _me_or_404(db, caller)


@app.patch("/users/me", response_model=UserRead)
def update_me(data: ProfileUpdate, db: Db, caller: CurrentCaller) -> User:
    user = _me_or_404(db, caller)
    user.display_name = data.display_name
    db.commit()
    return user


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
