from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import DateTime, Integer, Numeric, String, inspect, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError, NoInspectionAvailable
from sqlalchemy.orm import DeclarativeBase, DeclarativeBaseNoMeta, Session
from sqlalchemy.schema import CreateTable

COLUMNS = ["created_at", "id", "name", "price", "sku"]


# ------------------------------------------------------------------------------------ helpers


@pytest.fixture
def models(learner):
    return learner.require("models", "Base", "Product")


@pytest.fixture
def Product(models):
    product = models.Product
    try:
        inspect(product)
    except NoInspectionAvailable:
        raise AssertionError(f"models.Product ({product!r}) is not a mapped class") from None
    return product


@pytest.fixture
def engine(models, Product, db_engine):
    return db_engine(models.Base.metadata)


@pytest.fixture
def db(engine):
    """The products table as the database itself describes it."""
    found = inspect(engine)
    assert found.has_table("products"), "Base.metadata.create_all did not create a 'products' table"
    return found


def save(engine, Product, **fields):
    with Session(engine) as session:
        product = Product(**fields)
        session.add(product)
        session.commit()
        return product.id


def stored(engine):
    """The rows, read with the test's own SQL."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, sku, name, price FROM products ORDER BY id"))
        return [tuple(row) for row in rows]


def rejected(engine, Product, **fields):
    """True when the database refuses the product with an IntegrityError."""
    try:
        save(engine, Product, **fields)
    except IntegrityError:
        return True
    return False


def raw_insert(engine, sku, price="1.00"):
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO products (sku, name, price) VALUES (:sku, 'Raw', :price)"),
            {"sku": sku, "price": price},
        )


def utc_naive_now():
    return datetime.now(UTC).replace(tzinfo=None)


# --------------------------------------------------------------- Task 1: the declarative class


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Declare the table in the class itself: `class Product(Base)` with `__tablename__ = "
    '"products"` and one `Mapped[...] = mapped_column(...)` per column. A separate '
    "`Table(...)` object (`__table__ = ...` or map_imperatively) is the imperative style."
)
def test_product_is_declared_on_the_declarative_base(models, Product):
    base = models.Base
    ok = isinstance(base, type) and issubclass(base, DeclarativeBase | DeclarativeBaseNoMeta)
    assert ok, f"models.Base ({base!r}) is not a subclass of sqlalchemy.orm.DeclarativeBase"
    assert issubclass(Product, base), (
        "Product does not subclass models.Base: it is mapped imperatively, not declared"
    )
    tablename = getattr(Product, "__tablename__", None)
    assert tablename == "products", (
        f"Product.__tablename__ is {tablename!r}, not 'products': declare the table with "
        "__tablename__ and mapped_column(), not with a Table object assigned to __table__"
    )


@pytest.mark.task(1)
@pytest.mark.hint("Exactly five mapped columns: id, sku, name, price and created_at.")
def test_products_table_has_the_five_columns(db):
    names = sorted(c["name"] for c in db.get_columns("products"))
    assert names == COLUMNS, f"the products table has the columns {names}, expected {COLUMNS}"


@pytest.mark.task(1)
@pytest.mark.hint("`id: Mapped[int] = mapped_column(primary_key=True)`")
def test_id_is_the_integer_primary_key(db):
    primary_key = db.get_pk_constraint("products")["constrained_columns"]
    assert primary_key == ["id"], f"the primary key of products is {primary_key}, not ['id']"
    kind = {c["name"]: c["type"] for c in db.get_columns("products")}["id"]
    assert isinstance(kind, Integer), f"id is stored as {kind}, not INTEGER"


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Mapped[str] / Mapped[Decimal] / Mapped[datetime] (no `| None`) make a column NOT NULL; "
    "the SQL type and its size go in mapped_column(): String(32), String(200), Numeric(10, 2), "
    "DateTime(timezone=True)."
)
@pytest.mark.parametrize(
    "name, expected",
    [
        ("sku", "VARCHAR(32)"),
        ("name", "VARCHAR(200)"),
        ("price", "NUMERIC(10, 2)"),
        ("created_at", "DATETIME"),
    ],
    ids=["sku", "name", "price", "created_at"],
)
def test_column_type_and_not_null(db, name, expected):
    column = {c["name"]: c for c in db.get_columns("products")}.get(name)
    assert column is not None, f"the products table has no {name} column"
    kind = column["type"]
    wanted = {"VARCHAR(32)": (String, 32), "VARCHAR(200)": (String, 200)}
    if expected in wanted:
        cls, length = wanted[expected]
        ok = isinstance(kind, cls) and kind.length == length
    elif expected == "NUMERIC(10, 2)":
        ok = isinstance(kind, Numeric) and (kind.precision, kind.scale) == (10, 2)
    else:
        ok = isinstance(kind, DateTime)
    assert ok, f"{name} is stored as {kind}, not {expected}"
    assert column["nullable"] is False, f"{name} allows NULL: it must be NOT NULL"


@pytest.mark.task(1)
@pytest.mark.hint(
    "SQLite has no time zones, but the model is also meant for PostgreSQL: "
    "DateTime(timezone=True) becomes TIMESTAMP WITH TIME ZONE there, DateTime() a naive TIMESTAMP."
)
def test_created_at_is_timezone_aware_on_postgresql(Product):
    ddl = str(CreateTable(inspect(Product).local_table).compile(dialect=postgresql.dialect()))
    line = next((row.strip() for row in ddl.splitlines() if "created_at" in row), None)
    assert line is not None, "the products table has no created_at column"
    assert "WITH TIME ZONE" in line, (
        f"on PostgreSQL created_at would be `{line.rstrip(',')}`: use DateTime(timezone=True)"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Numeric(10, 2) with `price: Mapped[Decimal]` gives Decimal values back; Float would give "
    "binary floats (19.99 is not exactly representable)."
)
def test_product_round_trips_with_a_decimal_price(engine, Product):
    product_id = save(engine, Product, sku="TEA-001", name="Green tea", price=Decimal("19.99"))
    assert type(product_id) is int, f"a saved Product got the id {product_id!r}, not an int"
    rows = stored(engine)
    assert [row[:3] for row in rows] == [(product_id, "TEA-001", "Green tea")], (
        f"after saving one product the table holds {rows}"
    )
    with Session(engine) as session:
        product = session.scalars(select(Product).where(Product.sku == "TEA-001")).one()
        price = product.price
    assert isinstance(price, Decimal) and price == Decimal("19.99"), (
        f"the price 19.99 came back as {price!r}, not Decimal('19.99')"
    )


# ------------------------------------------------------------------ Task 2: named constraints


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    '__table_args__ = (UniqueConstraint("sku", name="uq_products_sku"), ...). A bare '
    "`unique=True` makes an unnamed constraint (unless Base.metadata has a naming_convention)."
)
def test_unique_constraint_on_sku_is_named(db):
    found = db.get_unique_constraints("products")
    shown = [(u["name"], u["column_names"]) for u in found]
    assert ("uq_products_sku", ["sku"]) in shown, (
        f"the products table has the unique constraints (name, columns) {shown}; "
        "expected ('uq_products_sku', ['sku'])"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    'CheckConstraint("price >= 0", name="ck_products_price_nonneg"), in __table_args__ '
    "or as a positional argument of price's mapped_column()."
)
def test_check_constraint_on_price_is_named(db):
    found = db.get_check_constraints("products")
    shown = [(c["name"], c["sqltext"]) for c in found]
    named = [sql for name, sql in shown if name == "ck_products_price_nonneg"]
    assert named, (
        f"the products table has the check constraints (name, SQL) {shown}; "
        "none is named 'ck_products_price_nonneg'"
    )
    assert "price" in named[0], f"ck_products_price_nonneg checks {named[0]!r}, not the price"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint("The UNIQUE constraint makes the database refuse a second product with that sku.")
def test_duplicate_sku_is_integrity_error(engine, Product):
    save(engine, Product, sku="TEA-001", name="Green tea", price=Decimal("4.50"))
    assert rejected(engine, Product, sku="TEA-001", name="Black tea", price=Decimal("3.00")), (
        f"a second product with sku TEA-001 was stored: the table holds {stored(engine)}"
    )
    refused = rejected(engine, Product, sku="TEA-002", name="Black tea", price=Decimal("3.00"))
    assert not refused, "a product with a new sku TEA-002 was refused"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint("SQLite enforces CHECK constraints: CHECK (price >= 0) refuses negative prices.")
@pytest.mark.parametrize("price", ["-0.01", "-100.00"], ids=["one-cent-below", "minus-100"])
def test_negative_price_is_integrity_error(engine, Product, price):
    assert rejected(engine, Product, sku="TEA-001", name="Green tea", price=Decimal(price)), (
        f"a product priced {price} was stored: the table holds {stored(engine)}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("price >= 0, not price > 0: a free product is allowed.")
def test_zero_price_is_allowed(engine, Product):
    try:
        save(engine, Product, sku="FREE-1", name="Sample", price=Decimal("0.00"))
    except IntegrityError as exc:
        raise AssertionError(f"a product priced 0.00 was refused: {exc.orig}") from None


# ------------------------------------------------------------- Task 3: the server-side default


@pytest.mark.task(3)
@pytest.mark.hint(
    "server_default=func.now() puts DEFAULT CURRENT_TIMESTAMP into CREATE TABLE; "
    "default=datetime.now only runs in Python, and the table has no default at all."
)
def test_created_at_has_a_default_in_the_table(db):
    column = {c["name"]: c for c in db.get_columns("products")}.get("created_at")
    assert column is not None, "the products table has no created_at column"
    assert column["default"] is not None, (
        "the created_at column has no DEFAULT in the database: use server_default=func.now()"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Leave created_at out of Product(...): the database fills it in, and after the commit "
    "reading product.created_at loads the stored value."
)
def test_orm_insert_gets_created_at_from_the_database(engine, Product):
    save(engine, Product, sku="TEA-001", name="Green tea", price=Decimal("4.50"))
    with Session(engine) as session:
        created = session.scalars(select(Product.created_at)).one()
    assert isinstance(created, datetime), f"created_at was stored as {created!r}"
    now = utc_naive_now()
    assert abs(created.replace(tzinfo=None) - now) < timedelta(days=1), (
        f"created_at is {created}, far from now ({now} UTC)"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A Python-side default (default=...) is applied only by the ORM; an INSERT written in SQL "
    "gets NULL (or fails on NOT NULL). server_default makes the database itself fill it in."
)
def test_plain_sql_insert_gets_created_at_too(engine, Product):
    try:
        raw_insert(engine, "RAW-1")
    except IntegrityError as exc:
        raise AssertionError(
            f"an INSERT without created_at, written in SQL, was refused: {exc.orig}; "
            "the database has no default for created_at"
        ) from None
    with engine.connect() as conn:
        value = conn.execute(text("SELECT created_at FROM products WHERE sku = 'RAW-1'")).scalar()
    assert value is not None, "an INSERT written in SQL left created_at NULL"
