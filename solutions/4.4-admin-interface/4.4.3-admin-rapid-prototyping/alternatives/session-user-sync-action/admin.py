import hmac
import os

from fastapi import FastAPI
from sqladmin import Admin, ModelView, action  # noqa: F401  (you will need all three)
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy import Engine, ForeignKey, String
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


def _configured() -> tuple[str, str] | None:
    user = os.environ.get("ADMIN_USER", "")
    password = os.environ.get("ADMIN_PASSWORD", "")
    if user == "" or password == "":
        return None
    return user, password


class AdminAuth(AuthenticationBackend):
    async def login(self, request: Request) -> bool:
        expected = _configured()
        if expected is None:
            return False
        form = await request.form()
        username = str(form.get("username") or "")
        password = str(form.get("password") or "")
        ok = hmac.compare_digest(username, expected[0]) & hmac.compare_digest(password, expected[1])
        if not ok:
            return False
        request.session["user"] = username
        return True

    async def logout(self, request: Request) -> bool:
        request.session.pop("user", None)
        return True

    async def authenticate(self, request: Request) -> bool:
        expected = _configured()
        return expected is not None and request.session.get("user") == expected[0]


class AuthorAdmin(ModelView, model=Author):
    column_list = [Author.id, Author.name]


class BookAdmin(ModelView, model=Book):
    column_list = [Book.id, Book.title, Book.author, Book.published]

    @action("mark_published", label="Mark published", add_in_detail=False)
    def mark_published(self, request: Request):
        raw = request.query_params.get("pks") or ""
        with self.session_maker() as session:
            for pk in filter(None, raw.split(",")):
                book = session.get(Book, int(pk))
                if book is not None:
                    book.published = True
            session.commit()
        return RedirectResponse("/admin/book/list", status_code=302)


def create_app(engine: Engine, secret_key: str) -> FastAPI:
    app = FastAPI(title="Library")
    admin = Admin(app, engine, authentication_backend=AdminAuth(secret_key))
    admin.add_view(AuthorAdmin)
    admin.add_view(BookAdmin)
    return app


if __name__ == "__main__":
    import uvicorn
    from sqlalchemy import create_engine

    library = create_engine("sqlite:///library.db", connect_args={"check_same_thread": False})
    Base.metadata.create_all(library)
    uvicorn.run(create_app(library, os.environ["ADMIN_SECRET_KEY"]))
