import os

from fastapi import FastAPI
from sqladmin import Admin, ModelView, action  # noqa: F401  (you will need all three)
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy import Engine, ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from starlette.requests import Request


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    books: Mapped[list["Book"]] = relationship(back_populates="author")

    # TODO: Task 1 - str(author) is the author's name


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    published: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship(back_populates="books")


class AdminAuth(AuthenticationBackend):
    async def login(self, request: Request) -> bool:
        # TODO: Task 2 - check the form's username and password against ADMIN_USER and
        #       ADMIN_PASSWORD (read now), and remember the login in request.session
        raise NotImplementedError

    async def logout(self, request: Request) -> bool:
        # TODO: Task 2 - forget the login
        raise NotImplementedError

    async def authenticate(self, request: Request) -> bool:
        # TODO: Task 3 - True only for a session that logged in
        raise NotImplementedError


# TODO: Task 1 - AuthorAdmin and BookAdmin (list columns, the book form with an author select)
# TODO: Task 4 - BookAdmin's action "mark_published"


def create_app(engine: Engine, secret_key: str) -> FastAPI:
    app = FastAPI(title="Library")
    # TODO: Task 1 - Admin(app, engine, ...) with both views
    # TODO: Task 3 - protect it with AdminAuth(secret_key=secret_key)
    return app


if __name__ == "__main__":
    import uvicorn
    from sqlalchemy import create_engine

    library = create_engine("sqlite:///library.db", connect_args={"check_same_thread": False})
    Base.metadata.create_all(library)
    uvicorn.run(create_app(library, os.environ["ADMIN_SECRET_KEY"]))
