"""Sales reports with GROUP BY, HAVING and a window function, one statement each."""

from datetime import datetime

from sqlalchemy import String, func, select  # noqa: F401
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Sale(Base):
    __tablename__ = "sales"

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(50))
    product: Mapped[str] = mapped_column(String(50))
    qty: Mapped[int]
    unit_price: Mapped[int]  # cents
    sold_at: Mapped[datetime]


def revenue_by_region(session: Session, min_revenue: int = 0) -> list[tuple[str, int, int]]:
    # TODO (Task 1): GROUP BY region with a HAVING clause, in one statement
    return []


def monthly_revenue(session: Session, year: int) -> list[tuple[str, int]]:
    # TODO (Task 2): GROUP BY strftime('%Y-%m', sold_at) for one year
    return []


def top_product_per_region(session: Session) -> list[tuple[str, str, int]]:
    # TODO (Task 3): row_number() over a partition by region
    return []
