"""Two lookups that the indexes of models.py answer without scanning the table."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import User


def find_by_email(session: Session, email: str) -> User | None:
    # TODO (Task 2): let the database find the row, through ix_users_email_lower
    for user in session.scalars(select(User)):
        if user.email.lower() == email.lower():
            return user
    return None


def recent_for_tenant(session: Session, tenant_id: int, limit: int) -> list[User]:
    # TODO (Task 3): let the database filter, sort and limit, through ix_users_tenant_created
    users = [u for u in session.scalars(select(User)) if u.tenant_id == tenant_id]
    return sorted(users, key=lambda u: u.created_at, reverse=True)[:limit]
