"""A legacy Query subclass, and the session event that does what it cannot."""

from sqlalchemy import Engine, ForeignKey, String, event, select  # noqa: F401
from sqlalchemy.orm import (  # noqa: F401
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Query,
    Session,
    mapped_column,
    relationship,
    sessionmaker,
    with_loader_criteria,
)


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    posts: Mapped[list["Post"]] = relationship(back_populates="author", order_by="Post.id")


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    deleted: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship(back_populates="posts")


class AliveQuery(Query):
    # TODO (Task 1): alive(), only the posts that are not deleted
    pass


def make_legacy_session(engine: Engine) -> Session:
    # TODO (Task 1): a Session whose session.query(...) returns an AliveQuery
    return Session(engine)


def install_alive_filter(factory: sessionmaker) -> None:
    # TODO (Task 2): every ORM SELECT of the factory's sessions sees only posts not deleted
    pass
