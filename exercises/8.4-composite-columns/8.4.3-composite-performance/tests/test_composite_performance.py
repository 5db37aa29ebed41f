import pytest
from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from grader.testing import reversed_scans

ADDRESSES = [
    ("Ada", ("Karl Johans gate 1", "Oslo", "0154")),
    ("Bo", ("Bryggen 3", "Bergen", "5003")),
    ("Cy", ("Storgata 5", "Oslo", "0155")),
    ("Di", ("Torget 1", "Oslo", "0154")),
]


@pytest.fixture
def models(learner):
    return learner.require("models", "Base", "Address", "Customer", "CustomerJson")


@pytest.fixture
def perf(learner, models):
    return learner.require(
        "perf", "explain", "find_city", "find_city_json", "find_city_json_indexed"
    )


@pytest.fixture
def engine(models, db_engine):
    engine = db_engine(models.Base.metadata)
    with Session(engine) as session:
        for name, address in ADDRESSES:
            session.add(models.Customer(name=name, address=models.Address(*address)))
            street, city, postal = address
            session.add(
                models.CustomerJson(
                    name=name, address={"street": street, "city": city, "postal_code": postal}
                )
            )
        session.add(models.CustomerJson(name="Nocity", address={"street": "Nowhere 1"}))
        session.commit()
    return engine


def plan_of_finder(engine, sql_counter, call):
    """Run the finder, then EXPLAIN the SELECT it sent (parameters bound to NULL)."""
    with Session(engine) as session, sql_counter(engine) as counted:
        rows = call(session)
        names = [row.name for row in rows]
    selects = [s for s in counted.statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, f"the finder sent {len(selects)} SELECT statements, expected 1"
    sql = selects[0]
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", (None,) * sql.count("?")).all()
    return names, "\n".join(str(row[-1]) for row in rows)


# --- Task 1 -----------------------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_find_city_uses_the_composite_index(engine, perf, sql_counter):
    names, plan = plan_of_finder(engine, sql_counter, lambda s: perf.find_city(s, "Oslo"))
    assert names == ["Ada", "Cy", "Di"], f"find_city(session, 'Oslo') gave {names}"
    assert "USING INDEX ix_customers_city_postal" in plan, (
        f"find_city(session, 'Oslo') runs with the plan {plan!r}, not USING INDEX "
        f"ix_customers_city_postal"
    )


@pytest.mark.task(1)
def test_find_city_and_postal_code_uses_the_index_on_both(engine, perf, sql_counter):
    names, plan = plan_of_finder(engine, sql_counter, lambda s: perf.find_city(s, "Oslo", "0154"))
    assert names == ["Ada", "Di"], f"find_city(session, 'Oslo', '0154') gave {names}"
    assert "ix_customers_city_postal (city=? AND postal_code=?)" in plan, (
        f"find_city(session, 'Oslo', '0154') runs with the plan {plan!r}"
    )


@pytest.mark.task(1)
def test_loading_a_composite_is_one_select(models, engine, sql_counter):
    with Session(engine) as session:
        id_ = session.scalar(select(models.Customer.id).where(models.Customer.name == "Ada"))
    with Session(engine) as session, sql_counter(engine) as counted:
        address = session.get(models.Customer, id_).address
    assert address == models.Address(*ADDRESSES[0][1]), f"customer.address is {address!r}"
    assert counted.count == 1, (
        f"session.get(Customer, id).address sent {counted.count} statements, expected 1"
    )


# --- Task 2 -----------------------------------------------------------------------------------


@pytest.mark.task(2)
def test_explain_reports_a_scan(models, perf, engine):
    C = models.Customer
    with Session(engine) as session:
        plan = perf.explain(session, select(C).where(C.name == "Ada"))
    assert isinstance(plan, str) and "SCAN customers" in plan, (
        f"explain(session, select(Customer).where(Customer.name == 'Ada')) gave {plan!r}"
    )


@pytest.mark.task(2)
def test_explain_reports_every_plan_line(models, perf, engine):
    C = models.Customer
    with Session(engine) as session:
        plan = perf.explain(session, select(C).where(C.city == "Oslo").order_by(C.name))
    lines = plan.split("\n")
    index_lines = [line for line in lines if "USING INDEX ix_customers_city_postal" in line]
    order_lines = [line for line in lines if "USE TEMP B-TREE FOR ORDER BY" in line]
    assert index_lines and order_lines and not set(index_lines) & set(order_lines), (
        f"explain of a city lookup ordered by name gave {plan!r}: expected two plan lines "
        f"joined with a newline"
    )


@pytest.mark.task(2)
def test_explain_works_for_an_in_list(models, perf, engine):
    C = models.Customer
    stmt = select(C).where(C.city.in_(["Oslo", "Bergen"]), C.postal_code == "0154")
    shown = "select(Customer).where(Customer.city.in_(['Oslo', 'Bergen']), postal_code == '0154')"
    with Session(engine) as session:
        try:
            plan = perf.explain(session, stmt)
        except Exception as exc:  # noqa: BLE001
            pytest.fail(
                f"explain(session, {shown}) raised {type(exc).__name__}: "
                f"{str(exc).splitlines()[0][:200]}"
            )
    assert (
        isinstance(plan, str) and "ix_customers_city_postal (city=? AND postal_code=?)" in plan
    ), (
        f"explain(session, {shown}) gave {plan!r}, expected a search USING INDEX "
        f"ix_customers_city_postal (city=? AND postal_code=?)"
    )


@pytest.mark.task(2)
def test_explain_runs_on_the_sessions_connection(models, perf, engine):
    C = models.Customer
    with engine.connect() as conn, Session(bind=conn) as session:
        session.connection().exec_driver_sql("CREATE INDEX ix_customers_name ON customers (name)")
        try:
            plan = perf.explain(session, select(C).where(C.name == "Ada"))
        except Exception as exc:  # noqa: BLE001
            pytest.fail(
                f"explain on a Session bound to a Connection raised {type(exc).__name__}: "
                f"{str(exc).splitlines()[0][:200]}"
            )
    assert isinstance(plan, str) and "USING INDEX ix_customers_name" in plan, (
        f"explain on a Session bound to a Connection, after creating an index on name through "
        f"the session, gave {plan!r}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_explain_keeps_parameters_bound(models, perf, engine):
    J = models.CustomerJson
    bound = select(J).where(func.json_extract(J.address, "$.city") == "Oslo")
    literal = select(J).where(func.json_extract(J.address, literal_column("'$.city'")) == "Oslo")
    with Session(engine) as session:
        bound_plan = perf.explain(session, bound)
        literal_plan = perf.explain(session, literal)
    assert "SCAN customers_json" in bound_plan, (
        f"explain of json_extract(address, ?) with the path bound gave {bound_plan!r}: the "
        f"statement SQLAlchemy sends scans the table"
    )
    assert "USING INDEX ix_customers_json_city" in literal_plan, (
        f"explain of json_extract(address, '$.city') with a literal path gave {literal_plan!r}"
    )


# --- Task 3 -----------------------------------------------------------------------------------


@pytest.mark.task(3)
def test_find_city_json_still_scans(engine, perf, sql_counter):
    names, plan = plan_of_finder(engine, sql_counter, lambda s: perf.find_city_json(s, "Oslo"))
    assert names == ["Ada", "Cy", "Di"], f"find_city_json(session, 'Oslo') gave {names}"
    assert "SCAN customers_json" in plan, f"find_city_json runs with the plan {plan!r}"


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_find_city_json_indexed_uses_the_expression_index(engine, perf, sql_counter):
    names, plan = plan_of_finder(
        engine, sql_counter, lambda s: perf.find_city_json_indexed(s, "Oslo")
    )
    assert names == ["Ada", "Cy", "Di"], f"find_city_json_indexed(session, 'Oslo') gave {names}"
    assert "USING INDEX ix_customers_json_city" in plan, (
        f"find_city_json_indexed(session, 'Oslo') runs with the plan {plan!r}, not USING "
        f"INDEX ix_customers_json_city"
    )


@pytest.mark.task(3)
def test_find_city_json_indexed_other_city(engine, perf):
    with Session(engine) as session:
        names = [row.name for row in perf.find_city_json_indexed(session, "Bergen")]
        none = perf.find_city_json_indexed(session, "Paris")
    assert names == ["Bo"], f"find_city_json_indexed(session, 'Bergen') gave {names}"
    assert list(none) == [], f"find_city_json_indexed(session, 'Paris') gave {none!r}"


@pytest.mark.task(3)
@pytest.mark.parametrize(
    "finder, call",
    [
        ("find_city", lambda perf, s: perf.find_city(s, "Oslo")),
        ("find_city_json", lambda perf, s: perf.find_city_json(s, "Oslo")),
        ("find_city_json_indexed", lambda perf, s: perf.find_city_json_indexed(s, "Oslo")),
    ],
)
@pytest.mark.hint(
    "An index returns equal keys in whatever order it likes: say `.order_by(Model.id)` "
    "in every finder."
)
def test_every_finder_orders_by_id_itself(engine, perf, finder, call):
    # SQLite returns the rows of a SELECT without ORDER BY in reverse meanwhile, so an order
    # that only came from the index or the table shows.
    with reversed_scans(engine), Session(engine) as session:
        names = [row.name for row in call(perf, session)]
    assert names == ["Ada", "Cy", "Di"], (
        f"{finder}(session, 'Oslo') gave {names} when SQLite was free to return rows in another "
        "order: order by id in the query"
    )
