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
    """Legacy Query with a named soft-delete filter; only session.query() ever returns it."""

    def alive(self) -> "AliveQuery":
        # Query.where() is generative: it returns a new AliveQuery, self is unchanged.
        return self.where(Post.deleted.is_(False))


def make_legacy_session(engine: Engine) -> Session:
    return Session(bind=engine, query_cls=AliveQuery)


INCLUDE_DELETED = "include_deleted"


def _alive_criteria():
    return with_loader_criteria(Post, lambda cls: cls.deleted.is_(False), include_aliases=True)


def _include_deleted(state: ORMExecuteState) -> bool:
    if state.execution_options.get(INCLUDE_DELETED, False):
        return True
    # eager relationship loads (selectinload, subqueryload) run as their own statement;
    # they inherit the choice of the statement that started them.
    top = state.execution_options.get("sa_top_level_orm_context")
    if top is not None and top.execution_options.get(INCLUDE_DELETED, False):
        return True
    return False


def install_alive_filter(factory: sessionmaker) -> None:
    """Every ORM SELECT in the factory's sessions sees only posts that are not deleted.

    Unlike the usual recipe, relationship loads are filtered here too (instead of relying
    only on the option propagating from the parent's load), so that collections of objects
    that were never loaded by a query (created in this session, merged, refreshed) are
    filtered as well.
    """

    def _add_alive_criteria(state: ORMExecuteState) -> None:
        if not state.is_select or state.is_column_load:
            return
        if _include_deleted(state):
            return
        state.statement = state.statement.options(_alive_criteria())

    event.listen(factory, "do_orm_execute", _add_alive_criteria)
