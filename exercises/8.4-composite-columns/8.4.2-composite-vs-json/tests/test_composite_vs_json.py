import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grader.testing import reversed_scans

PEOPLE = [
    ("Ada", ("Karl Johans gate 1", "Oslo", "0154")),
    ("Bo", ("Bryggen 3", "Bergen", "5003")),
    ("Cy", ("Storgata 5", "Oslo", "0155")),
    ("Ed", ("Storgata 9", "OSLO", "0156")),  # another city to an exact comparison
]


@pytest.fixture
def models(learner):
    return learner.require(
        "models",
        "Base",
        "Address",
        "CustomerA",
        "CustomerB",
        "find_by_city_a",
        "find_by_city_b",
        "move_a",
        "move_b",
    )


@pytest.fixture
def engine(models, db_engine):
    return db_engine(models.Base.metadata)


def as_dict(address):
    return dict(zip(("street", "city", "postal_code"), address))


@pytest.fixture
def ids_a(models, engine):
    with Session(engine) as session:
        rows = {n: models.CustomerA(name=n, address=models.Address(*a)) for n, a in PEOPLE}
        session.add_all(rows.values())
        session.commit()
        return {n: c.id for n, c in rows.items()}


@pytest.fixture
def ids_b(models, engine):
    with Session(engine) as session:
        rows = {n: models.CustomerB(name=n, address=as_dict(a)) for n, a in PEOPLE}
        rows["Nocity"] = models.CustomerB(name="Nocity", address={"street": "Somewhere 1"})
        session.add_all(rows.values())
        session.commit()
        return {n: c.id for n, c in rows.items()}


# --- Task 1 -----------------------------------------------------------------------------------


@pytest.mark.task(1)
def test_composite_round_trip(models, engine, ids_a):
    with Session(engine) as session:
        got = session.get(models.CustomerA, ids_a["Ada"]).address
    assert got == models.Address(*PEOPLE[0][1]), f"CustomerA Ada came back with {got!r}"


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_composite_without_city_is_integrity_error(models, engine):
    with Session(engine) as session:
        session.add(models.CustomerA(name="X", address=models.Address("Street 1", None, "0001")))
        with pytest.raises(IntegrityError):
            session.commit()


@pytest.mark.task(1)
def test_find_by_city_a(models, engine, ids_a):
    with Session(engine) as session:
        got = [c.name for c in models.find_by_city_a(session, "Oslo")]
        none = models.find_by_city_a(session, "Paris")
    assert got == ["Ada", "Cy"], (
        f"find_by_city_a(session, 'Oslo') gave {got}, expected ['Ada', 'Cy'] (Ed's city is 'OSLO')"
    )
    assert list(none) == [], f"find_by_city_a(session, 'Paris') gave {none!r}"


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_move_a_is_saved_and_keeps_street(models, engine, ids_a):
    with Session(engine) as session:
        models.move_a(session, ids_a["Ada"], "Bergen")
    with Session(engine) as session:
        got = session.get(models.CustomerA, ids_a["Ada"]).address
        city = session.scalar(
            select(models.CustomerA.city).where(models.CustomerA.id == ids_a["Ada"])
        )
    assert city == "Bergen", f"after move_a(..., 'Bergen') the city column holds {city!r}"
    assert got == models.Address("Karl Johans gate 1", "Bergen", "0154"), (
        f"after move_a(..., 'Bergen') the address is {got!r}"
    )


# --- Task 2 -----------------------------------------------------------------------------------


@pytest.mark.task(2)
def test_json_round_trip_and_missing_city_accepted(models, engine, ids_b):
    with Session(engine) as session:
        got = session.get(models.CustomerB, ids_b["Ada"]).address
        nocity = session.get(models.CustomerB, ids_b["Nocity"]).address
    assert dict(got) == as_dict(PEOPLE[0][1]), f"CustomerB Ada came back with {got!r}"
    assert dict(nocity) == {"street": "Somewhere 1"}, (
        f"the address without city came back {nocity!r}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_in_place_change_to_json_is_saved(models, engine, ids_b):
    with Session(engine) as session:
        customer = session.get(models.CustomerB, ids_b["Bo"])
        customer.address["city"] = "Tromsø"
        session.commit()
    with Session(engine) as session:
        got = session.get(models.CustomerB, ids_b["Bo"]).address
    assert got.get("city") == "Tromsø", (
        f"customer.address['city'] = 'Tromsø' then commit: a fresh Session reads {dict(got)}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_find_by_city_b_in_one_filtered_select(models, engine, ids_b, sql_counter):
    with Session(engine) as session, sql_counter(engine) as counted:
        got = [c.name for c in models.find_by_city_b(session, "Oslo")]
    assert got == ["Ada", "Cy"], (
        f"find_by_city_b(session, 'Oslo') gave {got}, expected ['Ada', 'Cy'] (Ed's city is 'OSLO')"
    )
    filtered = [s for s in counted.statements if "WHERE" in s.upper()]
    assert counted.count == 1 and filtered, (
        f"find_by_city_b ran {counted.count} statements, {len(filtered)} with a WHERE: "
        f"expected one filtered SELECT"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_move_b_changes_only_the_city(models, engine):
    with Session(engine) as session:
        customer = models.CustomerB(
            name="Di", address={"street": "Bryggen 3", "city": "Bergen", "postal_code": "5003",
                                "floor": 2}
        )  # fmt: skip
        session.add(customer)
        session.commit()
        id_ = customer.id
    with Session(engine) as session:
        models.move_b(session, id_, "Oslo")
    with Session(engine) as session:
        got = dict(session.get(models.CustomerB, id_).address)
        found = [c.name for c in models.find_by_city_b(session, "Oslo")]
    expected = {"street": "Bryggen 3", "city": "Oslo", "postal_code": "5003", "floor": 2}
    assert got == expected, f"after move_b(..., 'Oslo') the stored dict is {got}"
    assert found == ["Di"], f"after move_b, find_by_city_b(session, 'Oslo') gave {found}"


# --- Both finders -----------------------------------------------------------------------------


def names_in_reverse_unordered_mode(engine, find):
    """The names `find(session, 'Oslo')` returns while SQLite hands back the rows of a SELECT
    without ORDER BY in reverse, so an order that only came from the table shows."""
    with reversed_scans(engine), Session(engine) as session:
        return [c.name for c in find(session, "Oslo")]


@pytest.mark.task(1)
@pytest.mark.hint(
    "A table scan happens to return rows in id order; only `.order_by(CustomerA.id)` in the "
    "query guarantees it."
)
def test_find_by_city_a_orders_by_id_itself(models, engine, ids_a):
    got = names_in_reverse_unordered_mode(engine, models.find_by_city_a)
    assert got == ["Ada", "Cy"], (
        f"find_by_city_a(session, 'Oslo') gave {got} when SQLite was free to return rows in "
        "another order: order by id in the query"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "A table scan happens to return rows in id order; only `.order_by(CustomerB.id)` in the "
    "query guarantees it."
)
def test_find_by_city_b_orders_by_id_itself(models, engine, ids_b):
    got = names_in_reverse_unordered_mode(engine, models.find_by_city_b)
    assert got == ["Ada", "Cy"], (
        f"find_by_city_b(session, 'Oslo') gave {got} when SQLite was free to return rows in "
        "another order: order by id in the query"
    )
