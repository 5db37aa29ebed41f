"""Queries over the org chart, each in one SQL statement."""

from models import User
from sqlalchemy import literal, select
from sqlalchemy.orm import Session, aliased


def employees_with_managers(session: Session) -> list[tuple[str, str | None]]:
    manager = aliased(User)
    stmt = (
        select(User.name, manager.name)
        .outerjoin(manager, User.manager_id == manager.id)
        .order_by(User.name, User.id)
    )
    return [(name, boss) for name, boss in session.execute(stmt)]


def peers(session: Session, user_id: int) -> list[str]:
    me = aliased(User)
    stmt = (
        select(User.name)
        .join(me, User.manager_id == me.manager_id)  # NULL = NULL is not true: roots have no peers
        .where(me.id == user_id, User.id != me.id)
        .order_by(User.name, User.id)
    )
    return list(session.scalars(stmt))


def chain_of_command(session: Session, user_id: int) -> list[str]:
    chain = (
        select(User.id, User.name, User.manager_id, literal(0).label("depth"))
        .where(User.id == user_id)
        .cte("chain", recursive=True)
    )
    boss = aliased(User)
    chain = chain.union_all(
        select(boss.id, boss.name, boss.manager_id, chain.c.depth + 1).join(
            chain, boss.id == chain.c.manager_id
        )
    )
    return list(session.scalars(select(chain.c.name).order_by(chain.c.depth)))
