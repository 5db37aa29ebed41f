import dataclasses

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

HOME = ("Karl Johans gate 1", "Oslo", "0154")
OTHER_OSLO = ("Storgata 5", "Oslo", "0155")
SAME_CITY_OTHER_STREET = ("Karl Johans gate 2", "Oslo", "0154")
BERGEN = ("Bryggen 3", "Bergen", "5003")
BILL = ("Postboks 9", "Trondheim", "7001")


@pytest.fixture
def models(learner):
    return learner.require("models", "Base", "Address", "Customer")


@pytest.fixture
def engine(models, db_engine):
    return db_engine(models.Base.metadata)


def store(models, engine, name, address, billing=None):
    fields = {"name": name, "address": models.Address(*address)}
    if billing is not None:
        fields["billing"] = models.Address(*billing)
    with Session(engine) as session:
        customer = models.Customer(**fields)
        session.add(customer)
        session.commit()
        return customer.id


@pytest.fixture
def people(models, engine):
    return {
        "home": store(models, engine, "Ada", HOME),
        "other": store(models, engine, "Bo", OTHER_OSLO),
        "street2": store(models, engine, "Cy", SAME_CITY_OTHER_STREET),
        "bergen": store(models, engine, "Di", BERGEN),
    }


def names(session, stmt):
    return sorted(c.name for c in session.scalars(stmt))


# --- Task 1 -----------------------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_round_trip_gives_an_equal_address(models, engine):
    id_ = store(models, engine, "Ada", HOME)
    with Session(engine) as session:
        loaded = session.get(models.Customer, id_).address
    assert isinstance(loaded, models.Address), f"customer.address is {loaded!r}, not an Address"
    assert loaded == models.Address(*HOME), (
        f"stored Address{HOME}, loaded {loaded!r} in a fresh Session"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Declare the dataclass fields in the prompt's order, `street`, `city`, `postal_code`: "
    "composite() hands the columns to Address in the order you list them."
)
def test_address_fields_are_named_and_ordered(models, engine):
    fields = [f.name for f in dataclasses.fields(models.Address)]
    assert fields == ["street", "city", "postal_code"], (
        f"Address has the fields {fields}, expected ['street', 'city', 'postal_code'] in that order"
    )
    address = models.Address(street="Bryggen 3", city="Bergen", postal_code="5003")
    customer = models.Customer(name="Ada", address=address)
    with Session(engine) as session:
        session.add(customer)
        session.commit()
        id_ = customer.id
    C = models.Customer
    with Session(engine) as session:
        row = session.execute(select(C.street, C.city, C.postal_code).where(C.id == id_)).one()
        loaded = session.get(C, id_).address
    assert tuple(row) == BERGEN, (
        "Address(street='Bryggen 3', city='Bergen', postal_code='5003') filled the columns "
        f"(street, city, postal_code) with {tuple(row)}"
    )
    assert (loaded.street, loaded.city, loaded.postal_code) == BERGEN, (
        f"the loaded address reads street={loaded.street!r}, city={loaded.city!r}, "
        f"postal_code={loaded.postal_code!r}"
    )


@pytest.mark.task(1)
def test_address_fills_the_three_columns(models, engine):
    id_ = store(models, engine, "Ada", HOME)
    C = models.Customer
    with Session(engine) as session:
        row = session.execute(select(C.street, C.city, C.postal_code).where(C.id == id_)).one()
    assert tuple(row) == HOME, f"the columns (street, city, postal_code) hold {tuple(row)}"


@pytest.mark.task(1)
def test_customer_without_address_is_rejected(models, engine):
    with Session(engine) as session:
        session.add(models.Customer(name="Nobody"))
        with pytest.raises(IntegrityError):
            session.commit()


@pytest.mark.task(1)
@pytest.mark.parametrize("missing", ["street", "city", "postal_code"])
def test_address_with_a_none_field_is_rejected(models, engine, missing):
    values = dict(zip(["street", "city", "postal_code"], HOME, strict=True))
    values[missing] = None
    with Session(engine) as session:
        session.add(models.Customer(name="Partial", address=models.Address(**values)))
        with pytest.raises(IntegrityError):
            session.commit()


# --- Task 2 -----------------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_where_address_equals_matches_all_three_fields(models, engine, people):
    C = models.Customer
    with Session(engine) as session:
        got = names(session, select(C).where(C.address == models.Address(*HOME)))
    assert got == ["Ada"], (
        f"where(Customer.address == Address{HOME}) found {got}, expected ['Ada'] (Cy has the "
        f"same city and postal code but another street)"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_where_city_finds_every_customer_in_that_city(models, engine, people):
    C = models.Customer
    with Session(engine) as session:
        got = names(session, select(C).where(C.city == "Oslo"))
    assert got == ["Ada", "Bo", "Cy"], f"where(Customer.city == 'Oslo') found {got}"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_replacing_the_address_updates_all_three_columns(models, engine, people):
    C = models.Customer
    with Session(engine) as session:
        session.get(C, people["home"]).address = models.Address(*BERGEN)
        session.commit()
    with Session(engine) as session:
        row = session.execute(
            select(C.street, C.city, C.postal_code).where(C.id == people["home"])
        ).one()
        found = names(session, select(C).where(C.city == "Bergen"))
    assert tuple(row) == BERGEN, (
        f"after assigning Address{BERGEN} and committing, the columns hold {tuple(row)}"
    )
    assert found == ["Ada", "Di"], f"where(Customer.city == 'Bergen') then found {found}"


# --- Task 3 -----------------------------------------------------------------------------------


@pytest.mark.task(3)
def test_customer_without_billing_has_none(models, engine):
    id_ = store(models, engine, "Ada", HOME)
    with Session(engine) as session:
        billing = session.get(models.Customer, id_).billing
    assert billing is None, f"a customer stored without billing has billing == {billing!r}"


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_billing_round_trip_keeps_the_address(models, engine):
    id_ = store(models, engine, "Ada", HOME, billing=BILL)
    C = models.Customer
    with Session(engine) as session:
        customer = session.get(C, id_)
        billing, address = customer.billing, customer.address
        cols = session.execute(
            select(C.billing_street, C.billing_city, C.billing_postal_code).where(C.id == id_)
        ).one()
    assert billing == models.Address(*BILL), f"stored billing Address{BILL}, loaded {billing!r}"
    assert address == models.Address(*HOME), (
        f"with a billing address, customer.address came back as {address!r}, not Address{HOME}"
    )
    assert tuple(cols) == BILL, f"the billing_* columns hold {tuple(cols)}"


@pytest.mark.task(3)
def test_where_billing_equals(models, engine):
    store(models, engine, "Ada", HOME, billing=BILL)
    store(models, engine, "Bo", BILL)
    C = models.Customer
    with Session(engine) as session:
        got = names(session, select(C).where(C.billing == models.Address(*BILL)))
    assert got == ["Ada"], (
        f"where(Customer.billing == Address{BILL}) found {got}, expected ['Ada'] (Bo lives "
        f"there but has no billing address)"
    )
