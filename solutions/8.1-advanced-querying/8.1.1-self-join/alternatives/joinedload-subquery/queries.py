"""Queries over the org chart: eager-loaded managers, a subquery for peers, a CTE of ids."""

from models import User
from sqlalchemy import literal, select
from sqlalchemy.orm import Session, aliased, joinedload


def employees_with_managers(session: Session) -> list[tuple[str, str | None]]:
    stmt = select(User).options(joinedload(User.manager)).order_by(User.name, User.id)
    return [(u.name, u.manager.name if u.manager else None) for u in session.scalars(stmt)]


def peers(session: Session, user_id: int) -> list[str]:
    my_manager = select(User.manager_id).where(User.id == user_id).scalar_subquery()
    stmt = (
        select(User.name)
        .where(User.manager_id == my_manager, User.id != user_id)
        .order_by(User.name, User.id)
    )
    return list(session.scalars(stmt))


def chain_of_command(session: Session, user_id: int) -> list[str]:
    up = select(User.id.label("uid"), User.manager_id.label("next_id"), literal(1).label("hops"))
    up = up.where(User.id == user_id).cte("up", recursive=True)
    parent = aliased(User)
    up = up.union_all(
        select(parent.id, parent.manager_id, up.c.hops + 1).where(parent.id == up.c.next_id)
    )
    stmt = select(User.name).join(up, User.id == up.c.uid).order_by(up.c.hops)
    return list(session.scalars(stmt))
