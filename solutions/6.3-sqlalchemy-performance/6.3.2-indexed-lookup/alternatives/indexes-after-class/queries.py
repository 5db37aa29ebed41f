"""Both sides lowered in SQL; results read through session.execute()."""

from models import User
from sqlalchemy import func, select
from sqlalchemy.orm import Session


def find_by_email(session: Session, email: str) -> User | None:
    statement = select(User).where(func.lower(User.email) == func.lower(email)).limit(1)
    return session.execute(statement).scalar_one_or_none()


def recent_for_tenant(session: Session, tenant_id: int, limit: int) -> list[User]:
    statement = (
        select(User)
        .filter_by(tenant_id=tenant_id)
        .order_by(User.created_at.desc(), User.id.desc())
        .limit(limit)
    )
    return list(session.execute(statement).scalars())
