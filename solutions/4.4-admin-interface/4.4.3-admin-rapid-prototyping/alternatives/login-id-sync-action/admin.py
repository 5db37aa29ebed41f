import hmac
import os
import secrets

from fastapi import FastAPI
from sqladmin import Admin, ModelView, action
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy import Engine, ForeignKey, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from starlette.requests import Request
from starlette.responses import RedirectResponse


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    books: Mapped[list["Book"]] = relationship(back_populates="author")

    def __str__(self) -> str:
        return self.name


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    published: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship(back_populates="books")


def _matches(given: object, expected: str | None) -> bool:
    if not expected or not isinstance(given, str):
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


class AdminAuth(AuthenticationBackend):
    async def login(self, request: Request) -> bool:
        form = await request.form()
        user_ok = _matches(form.get("username"), os.getenv("ADMIN_USER"))
        password_ok = _matches(form.get("password"), os.getenv("ADMIN_PASSWORD"))
        if user_ok and password_ok:
            # The signed session is the whole login (nothing kept in memory): an id per login.
            request.session.update({"login": secrets.token_urlsafe(16)})
            return True
        return False

    async def logout(self, request: Request) -> bool:
        request.session.clear()
        return True

    async def authenticate(self, request: Request) -> bool | RedirectResponse:
        if request.session.get("login"):
            return True
        return RedirectResponse(request.url_for("admin:login"), status_code=302)


class AuthorAdmin(ModelView, model=Author):
    column_list = ["id", "name"]
    column_searchable_list = ["name"]


class BookAdmin(ModelView, model=Book):
    column_list = ["id", "title", "author", "published"]
    column_searchable_list = ["title"]

    @action(
        "mark_published",
        label="Mark published",
        confirmation_message="Publish the selected books?",
        add_in_detail=False,
    )
    def mark_published(self, request: Request) -> RedirectResponse:
        ids = {int(pk) for pk in request.query_params.get("pks", "").split(",") if pk.strip()}
        with self.session_maker() as session:
            for book in session.scalars(select(Book).where(Book.id.in_(ids))):
                book.published = True
            session.commit()
        return RedirectResponse(str(request.url_for("admin:list", identity="book")), 302)


def create_app(engine: Engine, secret_key: str) -> FastAPI:
    app = FastAPI(title="Library")
    auth = AdminAuth(secret_key=secret_key, max_age=8 * 60 * 60, same_site="strict")
    admin = Admin(app, engine, title="Library admin", authentication_backend=auth)
    for view in (AuthorAdmin, BookAdmin):
        admin.add_view(view)
    return app


if __name__ == "__main__":
    import uvicorn
    from sqlalchemy import create_engine

    library = create_engine("sqlite:///library.db", connect_args={"check_same_thread": False})
    Base.metadata.create_all(library)
    uvicorn.run(create_app(library, os.environ["ADMIN_SECRET_KEY"]))
