from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from grader import testing

# "dotted" and "underscored" differ only where a LIKE pattern has a wildcard: _ must match itself
EMAILS = {
    "lower": "a@x.io",
    "mixed": "Ann@Example.COM",
    "bob": "bob@x.io",
    "dotted": "ann.lee@x.io",
    "underscored": "Ann_Lee@x.io",
}

JAN1, FEB1 = datetime(2024, 1, 1), datetime(2024, 2, 1)
# account key -> [(transaction key, amount_cents, created_at)]
ACCOUNTS = {
    "rich": [("r1", 500, JAN1), ("r2", 300, datetime(2024, 1, 15, 12, 30)), ("r3", -100, FEB1)],
    "poor": [("p1", 50, datetime(2023, 12, 31, 23, 59, 59))],
    "empty": [],
    "even": [("e1", 500, datetime(2024, 1, 31, 23, 59, 59)), ("e2", -500, datetime(2024, 3, 1))],
    "debt": [("d1", -300, datetime(2024, 2, 15))],
}
BALANCES = {"rich": 700, "poor": 50, "empty": 0, "even": 0, "debt": -300}
IN_JANUARY = ["e1", "r1", "r2"]

# product key -> (price given to the constructor, price_cents stored)
PRODUCTS = {
    "p999": (9.99, 999),
    "p1000": (Decimal("10"), 1000),
    "p1099": (10.99, 1099),
    "p1999": (19.99, 1999),
    "p300": (3, 300),
    "p1250": (Decimal("12.5"), 1250),
    "p29": (0.29, 29),
}

# price given with a fraction of a cent -> price_cents stored (no exact halves: how they round is
# not part of the prompt)
FRACTIONS = [(0.999, 100), (19.999, 2000), (Decimal("12.347"), 1235), (Decimal("4.994"), 499),
             (2.001, 200)]  # fmt: skip


@pytest.fixture
def models(learner):
    return learner.require("models", "Base", "User", "Account", "Transaction", "Product")


def seed(models, engine):
    """Store the users, accounts, transactions and products; the ids of every row, by key."""
    rows = {}
    with Session(engine) as session:
        for key, email in EMAILS.items():
            rows[key] = models.User(email=email)
        for key, transactions in ACCOUNTS.items():
            rows[key] = account = models.Account(name=key)
            session.add(account)
            session.flush()
            for tkey, amount, when in transactions:
                rows[tkey] = models.Transaction(
                    account=account, amount_cents=amount, created_at=when
                )
        for key, (price, _) in PRODUCTS.items():
            rows[key] = models.Product(name=key, price=price)
        session.add_all(rows.values())
        session.commit()
        return {key: row.id for key, row in rows.items()}


@pytest.fixture(scope="module")
def seeded(learner):
    """One in-memory database for the module (foreign keys on), the rows stored once, and a copy
    of it that every test starts from."""
    models = learner.require("models", "Base", "User", "Account", "Transaction", "Product")
    engine = testing.memory_engine(models.Base.metadata)
    ids = seed(models, engine)
    copy = testing.SavedDatabase(engine)
    yield engine, ids, copy
    copy.close()
    engine.dispose()


@pytest.fixture
def data(models, seeded):
    """The engine and the ids of every row, by key; the database holds exactly the rows as
    stored (ids included), whatever an earlier test changed."""
    engine, ids, copy = seeded
    copy.restore()
    return engine, dict(ids)


def keys_of(ids, wanted, found):
    by_id = {ids[key]: key for key in wanted}
    return [by_id.get(id_, id_) for id_ in found]


# --- Task 1: User.email ----------------------------------------------------------------------


@pytest.mark.task(1)
def test_email_reads_back_as_given(models, data):
    engine, ids = data
    with Session(engine) as session:
        got = {key: session.get(models.User, ids[key]).email for key in EMAILS}
    assert got == EMAILS, f"user.email read back {got}, expected the addresses as given {EMAILS}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    ("value", "key"),
    [("A@X.IO", "lower"), ("ann@example.com", "mixed"), ("ANN@EXAMPLE.COM", "mixed"),
     ("Bob@X.io", "bob"), ("ANN_LEE@X.IO", "underscored"), ("Ann.Lee@x.io", "dotted")],
)  # fmt: skip
def test_email_equality_ignores_case_in_sql(models, data, sql_counter, value, key):
    engine, ids = data
    User = models.User
    with Session(engine) as session, sql_counter(engine) as counted:
        users = session.scalars(select(User).where(User.email == value)).all()
        got = keys_of(ids, EMAILS, [user.id for user in users])
    assert got == [key], (
        f"where(User.email == {value!r}) found {got}, expected the user {EMAILS[key]!r}"
    )
    assert counted.count == 1, f"the filtered select ran {counted.count} SQL statements"


@pytest.mark.task(1)
def test_email_set_on_a_stored_user(models, data):
    engine, ids = data
    User = models.User
    with Session(engine) as session:
        session.get(User, ids["bob"]).email = "Robert@X.io"
        session.commit()
    with Session(engine) as session:
        read = session.get(User, ids["bob"]).email
        found = session.scalars(select(User.id).where(User.email == "robert@x.IO")).all()
    assert read == "Robert@X.io", f'after user.email = "Robert@X.io" the row reads {read!r}'
    assert found == [ids["bob"]], f'where(User.email == "robert@x.IO") found ids {found}'


# --- Task 2: Account.balance -----------------------------------------------------------------


@pytest.mark.task(2)
def test_balance_on_rows(models, data):
    engine, ids = data
    with Session(engine) as session:
        got = {key: session.get(models.Account, ids[key]).balance for key in ACCOUNTS}
    assert got == BALANCES, f"account.balance gave {got}, expected {BALANCES}"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_select_balance_matches_rows(models, data):
    engine, ids = data
    Account = models.Account
    with Session(engine) as session:
        rows = session.execute(select(Account.id, Account.balance)).all()
    got = dict(zip(keys_of(ids, ACCOUNTS, [r[0] for r in rows]), [r[1] for r in rows]))
    assert got == BALANCES, f"select(Account.id, Account.balance) gave {got}, expected {BALANCES}"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_where_balance_above_100_in_one_statement(models, data, sql_counter):
    engine, ids = data
    Account = models.Account
    with Session(engine) as session, sql_counter(engine) as counted:
        accounts = session.scalars(select(Account).where(Account.balance > 100)).all()
        got = keys_of(ids, ACCOUNTS, [account.id for account in accounts])
    assert got == ["rich"], (
        f"where(Account.balance > 100) found {got}, expected ['rich'] ({BALANCES})"
    )
    assert counted.count == 1, f"the filtered select ran {counted.count} SQL statements"


@pytest.mark.task(2)
def test_where_balance_zero_includes_accounts_without_transactions(models, data):
    engine, ids = data
    Account = models.Account
    with Session(engine) as session:
        found = session.scalars(select(Account.id).where(Account.balance == 0)).all()
    got = sorted(keys_of(ids, ACCOUNTS, found))
    assert got == ["empty", "even"], (
        f"where(Account.balance == 0) found {got}, expected ['empty', 'even']"
    )


@pytest.mark.task(2)
def test_order_by_balance(models, data):
    engine, ids = data
    Account = models.Account
    with Session(engine) as session:
        stmt = select(Account.id).order_by(Account.balance.desc(), Account.id)
        got = keys_of(ids, ACCOUNTS, session.scalars(stmt).all())
    expected = ["rich", "poor", "empty", "even", "debt"]
    assert got == expected, (
        f"order_by(Account.balance.desc(), Account.id) gave {got}, expected {expected}"
    )


# --- Task 3: Product.price -------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_price_setter_stores_rounded_cents(models, data):
    engine, ids = data
    expected = {key: cents for key, (_, cents) in PRODUCTS.items()}
    with Session(engine) as session:
        got = {key: session.get(models.Product, ids[key]).price_cents for key in PRODUCTS}
    assert got == expected, (
        f"Product(price=...) stored price_cents {got}, expected {expected} "
        f"(given { ({key: price for key, (price, _) in PRODUCTS.items()}) })"
    )


@pytest.mark.task(3)
def test_price_setter_rounds_a_fraction_of_a_cent_to_the_nearest(models, data):
    engine, _ = data
    with Session(engine) as session:
        products = [
            models.Product(name=f"f{i}", price=price) for i, (price, _) in enumerate(FRACTIONS)
        ]
        session.add_all(products)
        session.commit()
        ids = [product.id for product in products]
    with Session(engine) as session:
        got = [session.get(models.Product, id_).price_cents for id_ in ids]
    expected = [cents for _, cents in FRACTIONS]
    given = [price for price, _ in FRACTIONS]
    assert got == expected, (
        f"Product(price=...) given {given} stored price_cents {got}, expected {expected} "
        f"(rounded to the nearest cent, not cut off)"
    )


@pytest.mark.task(3)
def test_price_reads_as_decimal_dollars(models, data):
    engine, ids = data
    with Session(engine) as session:
        got = {
            key: session.get(models.Product, ids[key]).price for key in ("p1999", "p29", "p1000")
        }
    expected = {"p1999": Decimal("19.99"), "p29": Decimal("0.29"), "p1000": Decimal("10")}
    kinds = {key: type(value).__name__ for key, value in got.items()}
    assert all(isinstance(value, Decimal) for value in got.values()), (
        f"product.price types: {kinds}"
    )
    assert got == expected, f"product.price gave {got}, expected {expected}"


@pytest.mark.task(3)
def test_price_set_on_a_stored_product(models, data):
    engine, ids = data
    with Session(engine) as session:
        session.get(models.Product, ids["p300"]).price = Decimal("7.25")
        session.commit()
    with Session(engine) as session:
        cents = session.get(models.Product, ids["p300"]).price_cents
    assert cents == 725, f'after product.price = Decimal("7.25") price_cents is {cents!r}'


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_where_price_in_sql(models, data, sql_counter):
    engine, ids = data
    Product = models.Product
    with Session(engine) as session, sql_counter(engine) as counted:
        above = session.scalars(select(Product).where(Product.price > 10)).all()
        above = sorted(keys_of(ids, PRODUCTS, [product.id for product in above]))
    with Session(engine) as session:
        below = session.scalars(select(Product.id).where(Product.price < 10)).all()
        below = sorted(keys_of(ids, PRODUCTS, below))
    assert above == ["p1099", "p1250", "p1999"], f"where(Product.price > 10) found {above}"
    assert below == ["p29", "p300", "p999"], f"where(Product.price < 10) found {below}"
    assert counted.count == 1, f"the filtered select ran {counted.count} SQL statements"


@pytest.mark.task(3)
def test_order_by_price(models, data):
    engine, ids = data
    Product = models.Product
    with Session(engine) as session:
        got = keys_of(ids, PRODUCTS, session.scalars(select(Product.id).order_by(Product.price)))
    expected = sorted(PRODUCTS, key=lambda key: PRODUCTS[key][1])
    assert got == expected, f"order_by(Product.price) gave {got}, expected {expected}"


# --- Task 4: Transaction.is_within -----------------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_is_within_on_rows(models, data):
    engine, ids = data
    keys = [tkey for transactions in ACCOUNTS.values() for tkey, *_ in transactions]
    with Session(engine) as session:
        got = {key: session.get(models.Transaction, ids[key]).is_within(JAN1, FEB1) for key in keys}
    expected = {key: key in IN_JANUARY for key in keys}
    assert got == expected, (
        f"transaction.is_within(2024-01-01, 2024-02-01) gave {got}, expected {expected} "
        f"(the start included, the end excluded)"
    )


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_where_is_within_in_sql(models, data, sql_counter):
    engine, ids = data
    Transaction = models.Transaction
    keys = [tkey for transactions in ACCOUNTS.values() for tkey, *_ in transactions]
    with Session(engine) as session, sql_counter(engine) as counted:
        found = session.scalars(select(Transaction).where(Transaction.is_within(JAN1, FEB1))).all()
        got = sorted(keys_of(ids, keys, [t.id for t in found]))
    assert got == IN_JANUARY, (
        f"where(Transaction.is_within(2024-01-01, 2024-02-01)) found {got}, expected {IN_JANUARY}"
    )
    assert counted.count == 1, f"the filtered select ran {counted.count} SQL statements"


@pytest.mark.task(4)
def test_consecutive_ranges_count_each_transaction_once(models, data):
    engine, ids = data
    Transaction = models.Transaction
    bounds = [datetime(2023, 12, 1), JAN1, FEB1, datetime(2024, 3, 1), datetime(2024, 4, 1)]
    counts = []
    with Session(engine) as session:
        for start, end in zip(bounds, bounds[1:]):
            counts.append(
                len(
                    session.scalars(
                        select(Transaction.id).where(Transaction.is_within(start, end))
                    ).all()
                )
            )
    assert counts == [1, 3, 2, 1], (
        f"consecutive months Dec..Mar held {counts} transactions in SQL, expected [1, 3, 2, 1]"
    )
