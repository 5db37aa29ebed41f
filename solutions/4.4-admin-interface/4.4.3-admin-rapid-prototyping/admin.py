import os
import secrets

from fastapi import FastAPI
from sqladmin import Admin, ModelView, action
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy import Engine, ForeignKey, String, update
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


SESSION_KEY = "admin_user"


def _same(given: object, expected: str) -> bool:
    return secrets.compare_digest(str(given).encode(), expected.encode())


class AdminAuth(AuthenticationBackend):
    async def login(self, request: Request) -> bool:
        user = os.environ.get("ADMIN_USER")
        password = os.environ.get("ADMIN_PASSWORD")
        if not user or not password:
            return False  # not configured: nobody logs in
        form = await request.form()
        user_ok = _same(form.get("username", ""), user)
        password_ok = _same(form.get("password", ""), password)
        if not (user_ok and password_ok):
            return False
        request.session.clear()
        request.session[SESSION_KEY] = user
        return True

    async def logout(self, request: Request) -> bool:
        request.session.clear()
        return True

    async def authenticate(self, request: Request) -> bool:
        return SESSION_KEY in request.session


class AuthorAdmin(ModelView, model=Author):
    column_list = [Author.id, Author.name]


class BookAdmin(ModelView, model=Book):
    column_list = [Book.id, Book.title, Book.author, Book.published]
    form_columns = [Book.title, Book.author, Book.published]

    @action("mark_published", label="Mark published")
    async def mark_published(self, request: Request) -> RedirectResponse:
        pks = [int(pk) for pk in request.query_params.get("pks", "").split(",") if pk]
        if pks:
            with self.session_maker() as session:
                session.execute(update(Book).where(Book.id.in_(pks)).values(published=True))
                session.commit()
        return RedirectResponse(
            request.url_for("admin:list", identity=self.identity), status_code=302
        )


def create_app(engine: Engine, secret_key: str) -> FastAPI:
    app = FastAPI(title="Library")
    admin = Admin(app, engine, authentication_backend=AdminAuth(secret_key=secret_key))
    admin.add_view(AuthorAdmin)
    admin.add_view(BookAdmin)
    return app


if __name__ == "__main__":
    import uvicorn
    from sqlalchemy import create_engine

    library = create_engine("sqlite:///library.db", connect_args={"check_same_thread": False})
    Base.metadata.create_all(library)
    uvicorn.run(create_app(library, os.environ["ADMIN_SECRET_KEY"]))
