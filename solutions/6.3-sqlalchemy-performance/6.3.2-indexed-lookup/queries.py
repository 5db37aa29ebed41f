"""Two lookups that the indexes of models.py answer without scanning the table."""

from models import User
from sqlalchemy import func, select
from sqlalchemy.orm import Session


def find_by_email(session: Session, email: str) -> User | None:
    """The user whose email matches, ignoring case; searches ix_users_email_lower."""
    statement = select(User).where(func.lower(User.email) == email.lower())
    return session.scalars(statement).first()


def recent_for_tenant(session: Session, tenant_id: int, limit: int) -> list[User]:
    """The tenant's `limit` newest users, newest first; ix_users_tenant_created also sorts."""
    statement = (
        select(User)
        .where(User.tenant_id == tenant_id)
        .order_by(User.created_at.desc())
        .limit(limit)
    )
    return list(session.scalars(statement).all())
