"""Queries over the org chart, each in one SQL statement."""

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased  # noqa: F401  (aliased: you will need it)

from models import User


def employees_with_managers(session: Session) -> list[tuple[str, str | None]]:
    # TODO (Task 2): one statement, every user, with the manager's name or None
    return [(user.name, None) for user in session.scalars(select(User))]


def peers(session: Session, user_id: int) -> list[str]:
    # TODO (Task 3): the other users who have the same manager
    return []


def chain_of_command(session: Session, user_id: int) -> list[str]:
    # TODO (Task 4): a recursive CTE from the user up to the root
    return []
