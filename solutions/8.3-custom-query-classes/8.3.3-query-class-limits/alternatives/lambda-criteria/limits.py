"""A legacy Query subclass, and the session event that does what it cannot."""

from sqlalchemy import Engine, ForeignKey, String, event
from sqlalchemy.orm import (
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
    def alive(self):
        return self.filter_by(deleted=False)


def make_legacy_session(engine: Engine) -> Session:
    return Session(bind=engine, query_cls=AliveQuery)


def _only_alive(state: ORMExecuteState) -> None:
    # relationship loads are filtered here too: an object no query loaded (added in this
    # session) carries no option for its lazy loads to inherit
    if (
        not state.is_select
        or state.is_column_load
        or state.execution_options.get("include_deleted")
    ):
        return
    state.statement = state.statement.options(
        with_loader_criteria(Post, lambda cls: cls.deleted == False, include_aliases=True)  # noqa: E712
    )


def install_alive_filter(factory: sessionmaker) -> None:
    event.listen(factory, "do_orm_execute", _only_alive)
