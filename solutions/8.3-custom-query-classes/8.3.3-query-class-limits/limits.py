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
    """Legacy API: only session.query(...) returns this class."""

    def alive(self) -> "AliveQuery":
        return self.filter(Post.deleted.is_(False))


def make_legacy_session(engine: Engine) -> Session:
    return sessionmaker(bind=engine, query_cls=AliveQuery)()


def install_alive_filter(factory: sessionmaker) -> None:
    @event.listens_for(factory, "do_orm_execute")
    def _only_alive(state: ORMExecuteState) -> None:
        if (
            state.is_select
            and not state.is_column_load
            and not state.execution_options.get("include_deleted", False)
        ):
            # propagates to lazy loads and eager loads of the objects this query returns
            state.statement = state.statement.options(
                with_loader_criteria(Post, Post.deleted.is_(False), include_aliases=True)
            )
