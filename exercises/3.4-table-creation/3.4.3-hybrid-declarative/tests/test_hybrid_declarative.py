import pytest
from sqlalchemy import Table, inspect, select, text
from sqlalchemy.exc import IntegrityError, NoInspectionAvailable
from sqlalchemy.orm import Session

# (name, type, nullable, primary key) as SQLite reports them for the orders table.
ORDER_COLUMNS = [
    ("customer_id", "INTEGER", False, False),
    ("id", "INTEGER", False, True),
    ("total_cents", "INTEGER", False, False),
]


# ------------------------------------------------------------------------------------ helpers


@pytest.fixture
def models(learner):
    return learner.require("models", "Base", "Customer")


@pytest.fixture
def orders_table(learner, models):
    table = learner.require("models", "orders_table").orders_table
    assert isinstance(table, Table), f"models.orders_table is {table!r}, not a sqlalchemy Table"
    return table


@pytest.fixture
def Order(learner, orders_table):
    order = learner.require("models", "Order").Order
    try:
        inspect(order)
    except NoInspectionAvailable:
        raise AssertionError(f"models.Order ({order!r}) is not a mapped class") from None
    return order


@pytest.fixture
def Customer(models):
    return models.Customer


@pytest.fixture
def engine(models, Order, db_engine):
    """Base.metadata's tables, foreign keys enforced."""
    return db_engine(models.Base.metadata)


@pytest.fixture
def seeded(engine):
    """Two customers and three orders, written with the test's own SQL."""
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO customers (id, name) VALUES (1, 'Ada'), (2, 'Grace')"))
        conn.execute(
            text(
                "INSERT INTO orders (id, customer_id, total_cents) "
                "VALUES (10, 1, 1250), (11, 1, 999), (12, 2, 1001)"
            )
        )
    return engine


def order_rows(engine):
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, customer_id, total_cents FROM orders ORDER BY id"))
        return [tuple(row) for row in rows]


# ---------------------------------------------------------- Task 1: a class on a Table object


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Build the Table first, `orders_table = Table("orders", Base.metadata, ...)`, then '
    "`class Order(Base): __table__ = orders_table`. With __tablename__ and mapped_column() "
    "declarative builds a second, separate Table."
)
def test_order_is_mapped_onto_orders_table_itself(models, orders_table, Order):
    assert orders_table.name == "orders", f"orders_table is named {orders_table.name!r}"
    assert issubclass(Order, models.Base), "Order does not subclass models.Base"
    mapped_onto = inspect(Order).local_table
    assert mapped_onto is orders_table and Order.__table__ is orders_table, (
        f"Order is mapped onto {mapped_onto!r}, a Table object other than models.orders_table"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Put orders_table in Base.metadata (Table("orders", Base.metadata, ...)): then one '
    'create_all makes both tables and ForeignKey("customers.id") finds its target.'
)
def test_create_all_makes_both_tables(engine):
    tables = sorted(inspect(engine).get_table_names())
    assert tables == ["customers", "orders"], (
        f"Base.metadata.create_all created the tables {tables}, not ['customers', 'orders']"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Column("id", Integer, primary_key=True), Column("customer_id", ForeignKey("customers.id"), '
    'nullable=False, index=True), Column("total_cents", Integer, nullable=False)'
)
def test_orders_table_columns_foreign_key_and_index(engine):
    db = inspect(engine)
    found = sorted(
        (c["name"], str(c["type"]), bool(c["nullable"]), bool(c["primary_key"]))
        for c in db.get_columns("orders")
    )
    assert found == ORDER_COLUMNS, (
        f"the orders columns (name, type, nullable, pk) are {found}, expected {ORDER_COLUMNS}"
    )
    keys = [
        (fk["constrained_columns"], fk["referred_table"], fk["referred_columns"])
        for fk in db.get_foreign_keys("orders")
    ]
    assert keys == [(["customer_id"], "customers", ["id"])], (
        f"the foreign keys of orders are {keys}: customer_id should reference customers.id"
    )
    indexed = [ix["column_names"] for ix in db.get_indexes("orders")]
    assert ["customer_id"] in indexed, f"orders.customer_id has no index (indexes: {indexed})"


@pytest.mark.task(1)
@pytest.mark.hint("The foreign key is part of the table: SQLite refuses an unknown customer_id.")
def test_order_for_unknown_customer_is_integrity_error(engine):
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("INSERT INTO orders (customer_id, total_cents) VALUES (42, 100)"))


# ------------------------------------------------------------------ Task 2: the relationship


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    'On Order: `customer: Mapped[Customer] = relationship(back_populates="orders")`; on '
    'Customer: `orders: Mapped[list["Order"]] = relationship(back_populates="customer")`. '
    "A relationship on a __table__ class is declared just like on any declarative class."
)
def test_relationships_load_both_ways(seeded, Order, Customer):
    with Session(seeded) as session:
        order = session.get(Order, 12)
        assert order is not None, "session.get(Order, 12) found no order"
        customer = order.customer
        assert isinstance(customer, Customer) and customer.name == "Grace", (
            f"order 12 (customer 2, Grace) has customer {customer!r}"
        )
        ada = session.get(Customer, 1)
        ids = sorted(o.id for o in ada.orders)
    assert ids == [10, 11], f"Ada's orders are {ids}, not [10, 11]"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "back_populates links the two sides: setting order.customer also appends the order to "
    "customer.orders in Python, before anything is flushed."
)
def test_setting_the_customer_saves_the_foreign_key(engine, Order, Customer):
    with Session(engine) as session:
        ada = Customer(name="Ada")
        order = Order(customer=ada, amount_cents=500)
        assert order in ada.orders, (
            "after Order(customer=ada), ada.orders does not hold the order: link the two "
            "relationships with back_populates"
        )
        session.add(order)
        session.commit()
        ada_id = ada.id
    rows = order_rows(engine)
    assert [row[1:] for row in rows] == [(ada_id, 500)], (
        f"after saving Order(customer=<customer {ada_id}>, amount_cents=500) the orders table "
        f"holds (id, customer_id, total_cents) {rows}"
    )


# ------------------------------------------------------------------- Task 3: the renamed column


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "In the class body, `amount_cents = orders_table.c.total_cents` maps that column under the "
    "name amount_cents."
)
def test_amount_cents_reads_and_writes_total_cents(seeded, Order):
    with Session(seeded) as session:
        cents = getattr(session.get(Order, 10), "amount_cents", "<no such attribute>")
        assert cents == 1250, f"order 10 (total_cents 1250) has amount_cents {cents!r}"
        stmt = select(Order.id).where(Order.amount_cents > 1000).order_by(Order.id)
        big = list(session.scalars(stmt))
        assert big == [10, 12], (
            f"select(Order.id).where(Order.amount_cents > 1000) gave {big}, not [10, 12]"
        )
        session.add(Order(customer_id=2, amount_cents=4200))
        session.commit()
    rows = order_rows(seeded)
    assert rows[-1][1:] == (2, 4200), (
        f"after saving Order(customer_id=2, amount_cents=4200) the last row is {rows[-1]}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Renaming means the column is mapped once, as amount_cents: don't keep total_cents as a "
    "second attribute (a synonym or a plain copy)."
)
def test_total_cents_is_not_an_attribute(Order):
    attributes = set(inspect(Order).all_orm_descriptors.keys())
    assert "amount_cents" in attributes, "Order has no attribute amount_cents"
    assert "total_cents" not in attributes, (
        "Order still maps an attribute total_cents: the column should appear only as amount_cents"
    )
    try:
        Order(total_cents=100)
    except TypeError:
        return
    raise AssertionError("Order(total_cents=100) was accepted: total_cents is still an attribute")


# ---------------------------------------------------------------- Task 4: the computed amount


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`amount = column_property(orders_table.c.total_cents / 100.0)`: the division happens in the "
    "SELECT, and 1250 cents give 12.5."
)
def test_amount_is_total_cents_divided_by_100(seeded, Order):
    with Session(seeded) as session:
        amounts = {o.id: o.amount for o in session.scalars(select(Order))}
    got = {key: float(value) for key, value in amounts.items()}
    assert got == pytest.approx({10: 12.5, 11: 9.99, 12: 10.01}), (
        f"the orders of 1250, 999 and 1001 cents have the amounts {amounts}"
    )


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A plain Python @property cannot go into a WHERE clause; column_property() is a SQL "
    "expression, so Order.amount > 10 becomes `total_cents / 100.0 > 10` in the query."
)
def test_amount_filters_and_sorts_in_sql(seeded, Order):
    with Session(seeded) as session:
        over_ten = list(
            session.scalars(select(Order.id).where(Order.amount > 10).order_by(Order.id))
        )
        assert over_ten == [10, 12], (
            f"select(Order.id).where(Order.amount > 10) gave {over_ten}, not the orders of "
            "12.50 and 10.01 ([10, 12])"
        )
        ranked = list(session.scalars(select(Order.id).order_by(Order.amount.desc())))
        assert ranked == [10, 12, 11], (
            f"ordering by Order.amount.desc() gave {ranked}, not [10, 12, 11]"
        )


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "column_property(orders_table.c.total_cents / 100.0) puts the division into every SELECT "
    "of Order, so the database computes amount. A hybrid_property or a @property computes it "
    "in Python from the loaded total_cents."
)
def test_amount_is_computed_in_the_select(seeded, Order, sql_counter):
    with Session(seeded) as session, sql_counter(seeded) as counted:
        orders = list(session.scalars(select(Order).order_by(Order.id)))
        amounts = [float(o.amount) for o in orders]
    assert amounts == pytest.approx([12.5, 9.99, 10.01]), (
        f"the orders of 1250, 999 and 1001 cents have the amounts {amounts}"
    )
    assert [o.id for o in orders] == [10, 11, 12], (
        f"select(Order).order_by(Order.id) loaded the orders {[o.id for o in orders]}"
    )
    selects = [s for s in counted.statements if s.lstrip().upper().startswith("SELECT")]
    sent = " ".join(" ".join(s.split()) for s in selects)
    assert any("/" in s.split("FROM")[0] for s in selects), (
        f"select(Order) sent `{sent}`: the database does not compute amount, no division "
        "by 100 is in the SELECT"
    )
