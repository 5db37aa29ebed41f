"""Customer and Invoice: plain annotations, short constraint names, everything else from Base."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from base import Base

# TODO: Task 4 - Customer on "customers": id, name (indexed), email (unique), invoices.
# TODO: Task 4 - Invoice on "invoices": id, customer_id (-> customers.id, indexed), amount
#   (CHECK amount >= 0, named "amount_nonneg"), issued_at, customer.
