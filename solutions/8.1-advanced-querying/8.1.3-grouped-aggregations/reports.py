"""Sales reports with GROUP BY, HAVING and a window function, one statement each."""

from datetime import datetime

from sqlalchemy import String, func, select
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


REVENUE = func.sum(Sale.qty * Sale.unit_price)


def revenue_by_region(session: Session, min_revenue: int = 0) -> list[tuple[str, int, int]]:
    revenue = REVENUE.label("revenue")
    stmt = (
        select(Sale.region, revenue, func.count(Sale.id).label("orders"))
        .group_by(Sale.region)
        .having(REVENUE >= min_revenue)
        .order_by(revenue.desc(), Sale.region)
    )
    return [tuple(row) for row in session.execute(stmt)]


def monthly_revenue(session: Session, year: int) -> list[tuple[str, int]]:
    month = func.strftime("%Y-%m", Sale.sold_at).label("month")
    stmt = (
        select(month, REVENUE)
        .where(func.strftime("%Y", Sale.sold_at) == f"{year:04d}")
        .group_by(month)
        .order_by(month)
    )
    return [tuple(row) for row in session.execute(stmt)]


def top_product_per_region(session: Session) -> list[tuple[str, str, int]]:
    per_product = (
        select(Sale.region, Sale.product, REVENUE.label("revenue"))
        .group_by(Sale.region, Sale.product)
        .subquery()
    )
    rank = (
        func.row_number()
        .over(
            partition_by=per_product.c.region,
            order_by=(per_product.c.revenue.desc(), per_product.c.product),
        )
        .label("rank")
    )
    ranked = select(per_product, rank).subquery()
    stmt = (
        select(ranked.c.region, ranked.c.product, ranked.c.revenue)
        .where(ranked.c.rank == 1)
        .order_by(ranked.c.region)
    )
    return [tuple(row) for row in session.execute(stmt)]
