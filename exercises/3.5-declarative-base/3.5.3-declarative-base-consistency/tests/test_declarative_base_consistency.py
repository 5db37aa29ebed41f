import ast
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Numeric,
    String,
    inspect,
    select,
)
from sqlalchemy.exc import IntegrityError, NoInspectionAvailable, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, DeclarativeBaseNoMeta, Mapped, Session, mapped_column

PAID_AT = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
ISSUED_AT = datetime(2024, 4, 1, 12, 0, tzinfo=UTC)

# ------------------------------------------------------------------------------------ helpers


def mapped(learner, name):
    cls = getattr(learner.require("models", name), name)
    try:
        inspect(cls)
    except NoInspectionAvailable:
        raise AssertionError(f"models.{name} ({cls!r}) is not a mapped class") from None
    return cls


def constraint_names(engine, table):
    """Every constraint and index name of a table, as the database reports them."""
    db = inspect(engine)
    return {
        "pk": db.get_pk_constraint(table)["name"],
        "uq": sorted(c["name"] or "(unnamed)" for c in db.get_unique_constraints(table)),
        "fk": sorted(c["name"] or "(unnamed)" for c in db.get_foreign_keys(table)),
        "ix": sorted(c["name"] or "(unnamed)" for c in db.get_indexes(table)),
        "ck": sorted(c["name"] or "(unnamed)" for c in db.get_check_constraints(table)),
    }


def column_types(engine, table):
    return {c["name"]: c["type"] for c in inspect(engine).get_columns(table)}


def assert_string_255(kind, where):
    assert isinstance(kind, String) and kind.length == 255, (
        f"{where} is stored as {kind}, not VARCHAR(255)"
    )


def assert_numeric_12_2(kind, where):
    shape = (getattr(kind, "precision", None), getattr(kind, "scale", None))
    assert isinstance(kind, Numeric) and shape == (12, 2), (
        f"{where} is stored as {kind}, not NUMERIC(12, 2)"
    )


def assert_aware_datetime(kind, where):
    assert isinstance(kind, DateTime) and kind.timezone is True, (
        f"{where} is mapped as {kind!r}, not DateTime(timezone=True)"
    )


def assert_repr(obj, keys):
    name = type(obj).__name__
    parts = [f"{key}={getattr(obj, key)!r}" for key in keys]
    expected = f"{name}({', '.join(parts)})"
    shown = repr(obj)
    same = (
        shown.startswith(f"{name}(")
        and shown.endswith(")")
        and all(part in shown for part in parts)
        and len(shown) == len(expected)
    )
    assert same, f"repr() gave {shown!r}, expected {expected!r} (the columns in any order)"


@pytest.fixture
def engine_for(db_engine):
    """engine_for(*classes): an in-memory SQLite database (foreign keys on) holding only these
    classes' tables."""

    def make(*classes):
        engine = db_engine()
        tables = [cls.__table__ for cls in classes]
        tables[0].metadata.create_all(engine, tables=tables)
        return engine

    return make


@pytest.fixture
def Base(learner):
    cls = learner.require("base", "Base").Base
    ok = isinstance(cls, type) and issubclass(cls, DeclarativeBase | DeclarativeBaseNoMeta)
    assert ok, f"base.Base ({cls!r}) is not a subclass of sqlalchemy.orm.DeclarativeBase"
    return cls


@pytest.fixture(scope="module")
def probe(learner):
    """Two models of the tests' own, declared once on the learner's Base with bare annotations
    and short constraint names only: everything else must come from the Base."""
    base = learner.require("base", "Base").Base

    try:

        class ProbeBatch(base):
            __tablename__ = "probe_batches"
            id: Mapped[int] = mapped_column(primary_key=True)
            label: Mapped[str]

        class ProbePayment(base):
            __tablename__ = "probe_payments"
            __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)
            id: Mapped[int] = mapped_column(primary_key=True)
            reference: Mapped[str] = mapped_column(unique=True)
            batch_id: Mapped[int] = mapped_column(ForeignKey("probe_batches.id"), index=True)
            amount: Mapped[Decimal]
            paid_at: Mapped[datetime]
            note: Mapped[str | None]

    except Exception as exc:
        raise AssertionError(
            f"declaring the tests' own models on Base failed: {type(exc).__name__}: {exc}"
        ) from None
    return ProbeBatch, ProbePayment


@pytest.fixture
def probe_engine(probe, engine_for):
    return engine_for(*probe)


@pytest.fixture
def payment(probe, probe_engine):
    """A stored ProbePayment, loaded back in a new session (yielded while the session is open)."""
    ProbeBatch, ProbePayment = probe
    with Session(probe_engine) as session:
        batch = ProbeBatch(label="May")
        session.add(batch)
        session.flush()
        session.add(
            ProbePayment(
                reference="PAY-1", batch_id=batch.id, amount=Decimal("19.90"), paid_at=PAID_AT
            )
        )
        session.commit()
    with Session(probe_engine) as session:
        yield session.scalars(select(ProbePayment)).one()


PROBE_COLUMNS = ["id", "reference", "batch_id", "amount", "paid_at", "note"]


@pytest.fixture(scope="module")
def renamed_probe(learner):
    """A model of the tests' own whose attribute `ref` is stored in the column `reference`."""
    base = learner.require("base", "Base").Base
    try:

        class ProbeTicket(base):
            __tablename__ = "probe_tickets"
            id: Mapped[int] = mapped_column(primary_key=True)
            ref: Mapped[str] = mapped_column("reference")

    except Exception as exc:
        raise AssertionError(
            f"declaring the tests' own models on Base failed: {type(exc).__name__}: {exc}"
        ) from None
    return ProbeTicket


@pytest.fixture
def models(learner, Base):
    models = learner("models")
    for name in ("Customer", "Invoice"):
        cls = mapped(learner, name)
        assert issubclass(cls, Base), f"models.{name} does not subclass base.Base"
    return models


@pytest.fixture
def db(models, engine_for):
    """The learner's two tables in a fresh database: (engine, Customer, Invoice)."""
    Customer, Invoice = models.Customer, models.Invoice
    return engine_for(Customer, Invoice), Customer, Invoice


def store_customer(engine, Customer, Invoice, *amounts, email="ada@example.com"):
    with Session(engine) as session:
        customer = Customer(name="Ada Lovelace", email=email)
        session.add(customer)
        session.flush()
        for amount in amounts:
            session.add(Invoice(customer_id=customer.id, amount=amount, issued_at=ISSUED_AT))
        session.commit()
        return customer.id


# ------------------------------------------------------------ Task 1: the naming convention


@pytest.mark.task(1)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Base.metadata = MetaData(naming_convention={...}) names every constraint of every model: "
    'e.g. "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s". A name written '
    "out in one model does nothing for the next model."
)
@pytest.mark.parametrize(
    "table, kind, expected",
    [
        ("probe_payments", "pk", "pk_probe_payments"),
        ("probe_payments", "uq", ["uq_probe_payments_reference"]),
        ("probe_payments", "fk", ["fk_probe_payments_batch_id_probe_batches"]),
        ("probe_payments", "ix", ["ix_probe_payments_batch_id"]),
        ("probe_payments", "ck", ["ck_probe_payments_amount_positive"]),
        ("probe_batches", "pk", "pk_probe_batches"),
    ],
)
def test_a_new_model_gets_conventional_names(probe_engine, table, kind, expected):
    names = constraint_names(probe_engine, table)[kind]
    assert names == expected, (
        f"a model of the tests' own, declared on your Base, got the {kind} name(s) {names!r} "
        f"on {table}, not {expected!r}"
    )


# ------------------------------------------------------------ Task 2: the type annotation map


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "type_annotation_map = {str: String(255), datetime: DateTime(timezone=True), "
    "Decimal: Numeric(12, 2)} on Base decides what every bare Mapped[...] becomes."
)
def test_bare_annotations_get_the_shared_types(probe, probe_engine):
    _, ProbePayment = probe
    stored = column_types(probe_engine, "probe_payments")
    for column in ("reference", "note"):
        assert_string_255(stored[column], f"Mapped[str] column {column} of the tests' own model")
    assert_numeric_12_2(stored["amount"], "a Mapped[Decimal] column of the tests' own model")
    assert_aware_datetime(
        inspect(ProbePayment).columns["paid_at"].type,
        "a Mapped[datetime] column of the tests' own model",
    )
    label = column_types(probe_engine, "probe_batches")["label"]
    assert_string_255(label, "Mapped[str] column label of the tests' own model")


@pytest.mark.task(2)
def test_optional_annotation_keeps_the_type_and_allows_null(probe_engine, payment):
    columns = {c["name"]: c for c in inspect(probe_engine).get_columns("probe_payments")}
    assert columns["note"]["nullable"] is True, "a Mapped[str | None] column became NOT NULL"
    assert columns["reference"]["nullable"] is False, "a Mapped[str] column allows NULL"
    assert payment.amount == Decimal("19.90"), f"amount came back as {payment.amount!r}"


# ----------------------------------------------------------------- Task 3: to_dict, __repr__


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Write to_dict once on Base, from the mapper: {attr.key: getattr(self, attr.key) for attr "
    "in inspect(self).mapper.column_attrs}. self.__dict__ misses expired attributes and holds "
    "loaded relationships."
)
def test_to_dict_works_on_a_new_model(payment):
    data = payment.to_dict()
    assert isinstance(data, dict), f"to_dict() returned {type(data).__name__}, not a dict"
    assert sorted(data) == sorted(PROBE_COLUMNS), (
        f"to_dict() of the tests' own model has the keys {sorted(data)}, "
        f"not its columns {sorted(PROBE_COLUMNS)}"
    )
    expected = {key: getattr(payment, key) for key in PROBE_COLUMNS}
    assert data == expected, f"to_dict() gave {data!r}, but the attributes are {expected!r}"
    Session.object_session(payment).expire(payment)  # as after a commit: nothing loaded
    again = payment.to_dict()
    assert again == expected, (
        f"to_dict() of an expired object (as after commit) gave {again!r}, not {expected!r}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Key to_dict() by attribute name: `attr.key for attr in inspect(self).mapper.column_attrs`. "
    "A column's name (Column.name, or Column.key in __table__.columns) is what the database "
    'calls it: for `ref: Mapped[str] = mapped_column("reference")` that is "reference".'
)
def test_to_dict_keys_are_attribute_names_not_column_names(renamed_probe, engine_for):
    ProbeTicket = renamed_probe
    engine = engine_for(ProbeTicket)
    with Session(engine) as session:
        session.add(ProbeTicket(ref="T-1"))
        session.commit()
    with Session(engine) as session:
        ticket = session.scalars(select(ProbeTicket)).one()
        try:
            data = ticket.to_dict()
        except (AttributeError, KeyError) as exc:
            raise AssertionError(
                "to_dict() of a model whose attribute `ref` is stored in the column "
                f"`reference` failed: {type(exc).__name__}: {exc}"
            ) from None
        assert data == {"id": ticket.id, "ref": "T-1"}, (
            'to_dict() of a model declared with `ref: Mapped[str] = mapped_column("reference")` '
            f"gave {data!r}: the keys are attribute names (ref), not column names (reference)"
        )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    'repr: f"{type(self).__name__}(" + ", ".join(f"{k}={v!r}" for k, v in '
    'self.to_dict().items()) + ")", written once on Base.'
)
def test_repr_works_on_a_new_model(probe, payment):
    assert_repr(payment, PROBE_COLUMNS)
    ProbeBatch, _ = probe
    assert_repr(ProbeBatch(label="June"), ["id", "label"])


# --------------------------------------------------------------- Task 4: Customer and Invoice


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Customer.invoices and Invoice.customer are the two sides of one relationship "
    "(back_populates); amount is a Decimal and comes back as one."
)
def test_customer_and_invoices_round_trip(db):
    engine, Customer, Invoice = db
    customer_id = store_customer(engine, Customer, Invoice, Decimal("12.50"), Decimal("0.99"))
    with Session(engine) as session:
        customer = session.get(Customer, customer_id)
        amounts = sorted(i.amount for i in customer.invoices)
        assert amounts == [Decimal("0.99"), Decimal("12.50")], (
            f"the customer's invoices have the amounts {amounts!r}"
        )
        invoice = session.scalars(select(Invoice).where(Invoice.amount > 1)).one()
        assert invoice.customer is customer, "Invoice.customer is not the invoice's Customer"
        assert invoice.issued_at.replace(tzinfo=None) == ISSUED_AT.replace(tzinfo=None)


@pytest.mark.task(4)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Give the models short names only where a name is needed (CheckConstraint(..., "
    'name="amount_nonneg")), index=True / unique=True elsewhere: the convention on Base writes '
    "the full names."
)
@pytest.mark.parametrize(
    "table, kind, expected",
    [
        ("customers", "pk", "pk_customers"),
        ("customers", "uq", ["uq_customers_email"]),
        ("customers", "ix", ["ix_customers_name"]),
        ("invoices", "pk", "pk_invoices"),
        ("invoices", "fk", ["fk_invoices_customer_id_customers"]),
        ("invoices", "ix", ["ix_invoices_customer_id"]),
        ("invoices", "ck", ["ck_invoices_amount_nonneg"]),
    ],
)
def test_the_models_constraint_names(db, table, kind, expected):
    engine = db[0]
    names = constraint_names(engine, table)[kind]
    assert names == expected, (
        f"the {table} table has the {kind} name(s) {names!r}, not {expected!r}"
    )


@pytest.mark.task(4)
@pytest.mark.hint("name: Mapped[str] with no String(...) of its own: the Base's map gives 255.")
def test_the_models_column_types(db):
    engine, _, Invoice = db
    customers = column_types(engine, "customers")
    assert_string_255(customers["name"], "customers.name")
    assert_string_255(customers["email"], "customers.email")
    assert_numeric_12_2(column_types(engine, "invoices")["amount"], "invoices.amount")
    assert_aware_datetime(inspect(Invoice).columns["issued_at"].type, "Invoice.issued_at")


@pytest.mark.task(4)
@pytest.mark.parametrize("case", ["duplicate-email", "negative-amount"])
def test_the_constraints_hold(db, case):
    engine, Customer, Invoice = db
    store_customer(engine, Customer, Invoice, Decimal("5.00"))
    try:
        if case == "duplicate-email":
            store_customer(engine, Customer, Invoice)
        else:
            store_customer(engine, Customer, Invoice, Decimal("-1.00"), email="bob@example.com")
    except IntegrityError:
        return
    what = (
        "a second customer with the same email"
        if case == "duplicate-email"
        else ("an invoice with amount -1.00")
    )
    raise AssertionError(f"{what} was stored: the database should refuse it")


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint("to_dict() comes from Base: columns only, even when a relationship is loaded.")
def test_to_dict_of_the_models_leaves_relationships_out(db):
    engine, Customer, Invoice = db
    customer_id = store_customer(engine, Customer, Invoice, Decimal("12.50"))
    with Session(engine) as session:
        customer = session.get(Customer, customer_id)
        invoice = customer.invoices[0]
        assert invoice.customer is customer
        try:
            shown = customer.to_dict(), invoice.to_dict()
        except (AttributeError, TypeError, SQLAlchemyError) as exc:
            raise AssertionError(f"to_dict() failed: {type(exc).__name__}: {exc}") from None
        ada = {"id": customer_id, "name": "Ada Lovelace", "email": "ada@example.com"}
        assert shown[0] == ada, f"Customer.to_dict() with its invoices loaded gave {shown[0]!r}"
        assert sorted(shown[1]) == ["amount", "customer_id", "id", "issued_at"], (
            f"Invoice.to_dict() with its customer loaded has the keys {sorted(shown[1])}"
        )
        assert_repr(customer, ["id", "name", "email"])


# The types the Base's map owns, and the prefixes its naming convention writes.
MAPPED_TYPES = {
    "String",
    "Unicode",
    "Text",
    "UnicodeText",
    "VARCHAR",
    "NVARCHAR",
    "CHAR",
    "TEXT",
    "Numeric",
    "NUMERIC",
    "DECIMAL",
    "Float",
    "FLOAT",
    "DateTime",
    "DATETIME",
    "TIMESTAMP",
}
SPELLED_NAME = re.compile(r"^(pk|uq|ix|fk|ck)_\w+$")


def called_name(node):
    func = node.func if isinstance(node, ast.Call) else node
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Leave the names and the types to Base: unique=True / index=True / ForeignKey(...) without "
    'name=, only the check constraint\'s short name ("amount_nonneg"), and bare Mapped[str], '
    "Mapped[Decimal], Mapped[datetime] without String(...), Numeric(...) or DateTime(...)."
)
def test_models_py_spells_out_no_names_or_types(learner, models):
    tree = ast.parse(learner.source("models.py"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        values = list(node.args) + [k.value for k in node.keywords]
        for value in values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                if SPELLED_NAME.match(value.value):
                    found.append(f"line {value.lineno}: the name {value.value!r}")
        if called_name(node) == "mapped_column":
            typed = list(node.args) + [k.value for k in node.keywords if k.arg == "type_"]
            for value in typed:
                if called_name(value) in MAPPED_TYPES:
                    found.append(f"line {value.lineno}: the type {called_name(value)}")
    assert not found, "models.py spells out what Base should decide: " + "; ".join(found)
