import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

# (key, qty, unit_price_cents, discount_pct or None for the default, expected total_cents)
LINES = [
    ("a", 3, 333, 10, 899),  # per-unit rounding gives 897, true division 899.1
    ("b", 1, 995, 10, 895),  # 895.5: rounded down, not to nearest
    ("c", 2, 600, 0, 1200),
    ("d", 4, 300, 25, 900),  # 1200 without the discount
    ("e", 1, 1001, 0, 1001),
    ("f", 10, 101, 1, 999),  # 999.9: just under 1000 once rounded down
    ("g", 5, 250, None, 1250),  # the default discount
]
TOTALS = {key: total for key, *_, total in LINES}

# (key, first_name, last_name)
CUSTOMERS = [
    ("lovelace", "Ada", "Lovelace"),
    ("ada", "Ada", None),
    ("hopper", "Grace", "Hopper"),
    ("charles", "Charles", None),
    ("turing", "Alan", "Turing"),
    ("blank", "Edsger", ""),  # an empty last name: whatever Python gives, SQL gives too
]
# "blank" has no expected value here: its full name is only compared between Python and SQL
FULL = {"lovelace": "Ada Lovelace", "ada": "Ada", "hopper": "Grace Hopper", "charles": "Charles",
        "turing": "Alan Turing"}  # fmt: skip


@pytest.fixture
def models(learner):
    return learner.require("models", "Base", "Customer", "OrderLine")


@pytest.fixture
def shop(models, db_engine):
    """The engine, and the ids of the lines and customers by key."""
    engine = db_engine(models.Base.metadata)
    with Session(engine) as session:
        lines, customers = {}, {}
        for key, qty, price, discount, _ in LINES:
            fields = {"qty": qty, "unit_price_cents": price}
            if discount is not None:
                fields["discount_pct"] = discount
            lines[key] = models.OrderLine(**fields)
        for key, first, last in CUSTOMERS:
            customers[key] = models.Customer(first_name=first, last_name=last)
        session.add_all([*lines.values(), *customers.values()])
        session.commit()
        line_ids = {key: line.id for key, line in lines.items()}
        customer_ids = {key: customer.id for key, customer in customers.items()}
    return engine, line_ids, customer_ids


def keys_of(ids, rows):
    by_id = {value: key for key, value in ids.items()}
    return [by_id.get(row, row) for row in rows]


# --- Task 1: OrderLine.total_cents -----------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_total_cents_on_loaded_rows(models, shop):
    engine, line_ids, _ = shop
    with Session(engine) as session:
        got = {key: session.get(models.OrderLine, id_).total_cents for key, id_ in line_ids.items()}
    assert got == TOTALS, f"line.total_cents on the stored lines gave {got}, expected {TOTALS}"
    kinds = {key: type(value).__name__ for key, value in got.items() if type(value) is not int}
    assert not kinds, f"total_cents is not an int on lines {kinds}"


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_total_cents_computed_by_the_database(models, shop):
    engine, line_ids, _ = shop
    OrderLine = models.OrderLine
    with Session(engine) as session:
        rows = session.execute(select(OrderLine.id, OrderLine.total_cents)).all()
    got = {
        key: total
        for key, total in zip(keys_of(line_ids, [r[0] for r in rows]), [r[1] for r in rows])
    }
    assert got == TOTALS, (
        f"select(OrderLine.id, OrderLine.total_cents) gave {got}, expected {TOTALS} (the same "
        f"integers as in Python)"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_where_total_above_1000_in_one_statement(models, shop, sql_counter):
    engine, line_ids, _ = shop
    OrderLine = models.OrderLine
    with Session(engine) as session, sql_counter(engine) as counted:
        rows = session.scalars(select(OrderLine).where(OrderLine.total_cents > 1000)).all()
        got = sorted(keys_of(line_ids, [line.id for line in rows]))
    assert got == ["c", "e", "g"], (
        f"where(OrderLine.total_cents > 1000) found lines {got}, expected ['c', 'e', 'g'] "
        f"(totals {TOTALS})"
    )
    assert counted.count == 1, f"the filtered select ran {counted.count} SQL statements"


@pytest.mark.task(1)
@pytest.mark.parametrize(("key", "total"), [("a", 899), ("b", 895), ("f", 999)])
def test_where_total_equals_rounded_down_value(models, shop, key, total):
    engine, line_ids, _ = shop
    OrderLine = models.OrderLine
    with Session(engine) as session:
        rows = session.scalars(select(OrderLine.id).where(OrderLine.total_cents == total)).all()
    got = keys_of(line_ids, rows)
    assert got == [key], (
        f"where(OrderLine.total_cents == {total}) found lines {got}, expected ['{key}']"
    )


@pytest.mark.task(1)
def test_order_by_total_descending(models, shop):
    engine, line_ids, _ = shop
    OrderLine = models.OrderLine
    with Session(engine) as session:
        rows = session.scalars(select(OrderLine.id).order_by(OrderLine.total_cents.desc())).all()
    got = keys_of(line_ids, rows)
    expected = sorted(TOTALS, key=TOTALS.get, reverse=True)
    assert got == expected, (
        f"order_by(OrderLine.total_cents.desc()) gave lines {got}, expected {expected}"
    )


# --- Task 2: Customer.full_name --------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_full_name_on_loaded_rows(models, shop):
    engine, _, customer_ids = shop
    with Session(engine) as session:
        got = {key: session.get(models.Customer, customer_ids[key]).full_name for key in FULL}
    assert got == FULL, f"customer.full_name gave {got}, expected {FULL}"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_where_full_name_finds_ada_lovelace(models, shop, sql_counter):
    engine, _, customer_ids = shop
    Customer = models.Customer
    with Session(engine) as session, sql_counter(engine) as counted:
        rows = session.scalars(select(Customer).where(Customer.full_name == "Ada Lovelace")).all()
        got = keys_of(customer_ids, [customer.id for customer in rows])
    assert got == ["lovelace"], f'where(Customer.full_name == "Ada Lovelace") found {got}'
    assert counted.count == 1, f"the filtered select ran {counted.count} SQL statements"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_where_full_name_without_last_name(models, shop):
    engine, _, customer_ids = shop
    Customer = models.Customer
    with Session(engine) as session:
        ada = session.scalars(select(Customer.id).where(Customer.full_name == "Ada")).all()
        charles = session.scalars(select(Customer.id).where(Customer.full_name == "Charles")).all()
    got = (keys_of(customer_ids, ada), keys_of(customer_ids, charles))
    assert got == (["ada"], ["charles"]), (
        f'where(Customer.full_name == "Ada") found {got[0]} and == "Charles" found {got[1]}; '
        f"expected the customers without a last name"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_sql_full_name_matches_python_for_every_row(models, shop):
    engine, _, customer_ids = shop
    Customer = models.Customer
    with Session(engine) as session:
        rows = session.execute(select(Customer.id, Customer.full_name)).all()
        python = {customer.id: customer.full_name for customer in session.scalars(select(Customer))}
    names = {value: key for key, value in customer_ids.items()}
    sql = {names[row[0]]: row[1] for row in rows}
    python = {names[id_]: name for id_, name in python.items()}
    assert sql == python, (
        f"select(Customer.id, Customer.full_name) gave {sql}, but customer.full_name gave "
        f"{python} (the customer 'blank' has the empty string as last name, not None)"
    )


@pytest.mark.task(2)
def test_order_by_full_name(models, shop):
    engine, _, customer_ids = shop
    Customer = models.Customer
    with Session(engine) as session:
        rows = session.scalars(select(Customer.id).order_by(Customer.full_name, Customer.id)).all()
    got = keys_of(customer_ids, rows)
    expected = ["ada", "lovelace", "turing", "charles", "blank", "hopper"]
    assert got == expected, f"order_by(Customer.full_name) gave {got}, expected {expected}"
