from datetime import datetime

import pytest
from sqlalchemy.orm import Session

# (region, product, qty, unit_price in cents, sold_at)
SALES = [
    ("North", "Widget", 2, 500, datetime(2024, 1, 5, 9, 0)),
    ("North", "Gadget", 1, 1500, datetime(2024, 1, 20, 12, 0)),
    ("North", "Widget", 1, 500, datetime(2024, 2, 3, 8, 30)),
    ("South", "Gizmo", 3, 1000, datetime(2024, 2, 10, 10, 0)),
    ("South", "Widget", 4, 500, datetime(2024, 3, 1, 0, 0)),
    ("South", "Widget", 1, 500, datetime(2025, 1, 2, 15, 0)),
    ("East", "Widget", 1, 500, datetime(2023, 12, 31, 23, 0)),
    ("East", "Gadget", 2, 1500, datetime(2024, 3, 15, 18, 0)),
    ("West", "Gizmo", 3, 1000, datetime(2024, 1, 10, 11, 0)),
]


@pytest.fixture
def reports(learner):
    return learner.require(
        "reports", "Base", "Sale", "revenue_by_region", "monthly_revenue", "top_product_per_region"
    )


@pytest.fixture
def engine(reports, db_engine):
    engine = db_engine(reports.Base.metadata)
    with Session(engine) as session:
        for region, product, qty, price, sold_at in SALES:
            session.add(
                reports.Sale(
                    region=region, product=product, qty=qty, unit_price=price, sold_at=sold_at
                )
            )
        session.commit()
    return engine


@pytest.fixture
def empty(reports, db_engine):
    return db_engine(reports.Base.metadata)


def run(engine, sql_counter, function, *args, **kwargs):
    with Session(engine) as session, sql_counter(engine) as counted:
        rows = [tuple(row) for row in function(session, *args, **kwargs)]
    return rows, counted


# --- Task 1: revenue_by_region ---------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_revenue_and_orders_per_region_by_revenue(reports, engine, sql_counter):
    rows, _ = run(engine, sql_counter, reports.revenue_by_region)
    expected = [("South", 5500, 3), ("East", 3500, 2), ("North", 3000, 3), ("West", 3000, 1)]
    assert rows == expected, f"revenue_by_region(session) returned {rows}, expected {expected}"


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("minimum", "expected"),
    [
        (3500, [("South", 5500, 3), ("East", 3500, 2)]),
        (3501, [("South", 5500, 3)]),
        (10000, []),
    ],
)
def test_min_revenue_keeps_regions_at_or_above_it(reports, engine, sql_counter, minimum, expected):
    rows, _ = run(engine, sql_counter, reports.revenue_by_region, min_revenue=minimum)
    assert rows == expected, f"revenue_by_region(session, min_revenue={minimum}) returned {rows}"


@pytest.mark.task(1)
def test_min_revenue_is_a_having_clause(reports, engine, sql_counter):
    _, counted = run(engine, sql_counter, reports.revenue_by_region, min_revenue=3500)
    sql = " ".join(counted.statements).upper()
    assert "HAVING" in sql, f"revenue_by_region ran no HAVING clause: {counted.statements}"


# --- Task 2: monthly_revenue -----------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2024, [("2024-01", 5500), ("2024-02", 3500), ("2024-03", 5000)]),
        (2023, [("2023-12", 500)]),
        (2025, [("2025-01", 500)]),
        (2022, []),
    ],
)
def test_monthly_revenue_for_one_year(reports, engine, sql_counter, year, expected):
    rows, _ = run(engine, sql_counter, reports.monthly_revenue, year)
    assert rows == expected, f"monthly_revenue(session, {year}) returned {rows}"


@pytest.mark.task(2)
def test_a_year_starts_and_ends_at_midnight(reports, engine, sql_counter):
    with Session(engine) as session:
        for sold_at in (datetime(2024, 1, 1, 0, 0), datetime(2025, 1, 1, 0, 0)):
            session.add(
                reports.Sale(region="West", product="Gizmo", qty=1, unit_price=100, sold_at=sold_at)
            )
        session.commit()
    got = {
        year: run(engine, sql_counter, reports.monthly_revenue, year)[0] for year in (2024, 2025)
    }
    expected = {
        2024: [("2024-01", 5600), ("2024-02", 3500), ("2024-03", 5000)],
        2025: [("2025-01", 600)],
    }
    assert got == expected, (
        f"with one sale at midnight on 1 January 2024 and one on 1 January 2025, "
        f"monthly_revenue gave {got}, expected {expected}: each sale belongs to its own "
        "calendar year only"
    )


# --- Task 3: top_product_per_region ----------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_best_product_of_each_region(reports, engine, sql_counter):
    rows, _ = run(engine, sql_counter, reports.top_product_per_region)
    expected = [
        ("East", "Gadget", 3000),
        ("North", "Gadget", 1500),
        ("South", "Gizmo", 3000),
        ("West", "Gizmo", 3000),
    ]
    assert rows == expected, f"top_product_per_region returned {rows}, expected {expected}"


@pytest.mark.task(3)
def test_a_product_wins_on_its_total_not_on_one_sale(reports, engine, sql_counter):
    with Session(engine) as session:
        for day in (5, 6):  # two sales of 2000 each: 4000 in all, more than Gizmo's one 3000
            session.add(
                reports.Sale(
                    region="West",
                    product="Widget",
                    qty=2,
                    unit_price=1000,
                    sold_at=datetime(2024, 4, day, 10, 0),
                )
            )
        session.commit()
    rows, _ = run(engine, sql_counter, reports.top_product_per_region)
    west = [row for row in rows if row[0] == "West"]
    assert west == [("West", "Widget", 4000)], (
        f"West sold Gizmo once for 3000 and Widget twice for 2000 (4000 in all); "
        f"top_product_per_region gave {west}: rank each product's total revenue in the region "
        "(GROUP BY region, product first), not its single sales"
    )


@pytest.mark.task(3)
def test_a_tie_goes_to_the_first_product_name(reports, engine, sql_counter):
    rows, _ = run(engine, sql_counter, reports.top_product_per_region)
    north = [row for row in rows if row[0] == "North"]
    assert north == [("North", "Gadget", 1500)], (
        f"North sold Gadget and Widget for 1500 each; top_product_per_region gave {north}"
    )


@pytest.mark.task(3)
@pytest.mark.parametrize("columns", ["region, product DESC", "product DESC, region"])
def test_the_tie_break_does_not_depend_on_row_order(reports, engine, sql_counter, columns):
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE INDEX sales_by_name ON sales ({columns})")
    rows, _ = run(engine, sql_counter, reports.top_product_per_region)
    north = [row for row in rows if row[0] == "North"]
    assert north == [("North", "Gadget", 1500)], (
        f"with an index on sales ({columns}), top_product_per_region gave {north} for North "
        "(Gadget and Widget sold 1500 each): the window's ORDER BY must break the tie by "
        "product name itself, not rely on the order rows happen to arrive in"
    )


@pytest.mark.task(3)
def test_uses_row_number(reports, engine, sql_counter):
    _, counted = run(engine, sql_counter, reports.top_product_per_region)
    sql = " ".join(counted.statements).upper()
    assert "ROW_NUMBER" in sql and "PARTITION BY" in sql, (
        f"top_product_per_region ran no row_number() over a partition: {counted.statements}"
    )


# --- All tasks: one statement, empty table ---------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("name", "args"),
    [("revenue_by_region", ()), ("monthly_revenue", (2024,)), ("top_product_per_region", ())],
)
def test_each_report_runs_one_statement(reports, engine, sql_counter, name, args):
    _, counted = run(engine, sql_counter, getattr(reports, name), *args)
    assert counted.count == 1, f"{name} ran {counted.count} SQL statements (expected 1)"


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("name", "args"),
    [("revenue_by_region", ()), ("monthly_revenue", (2024,)), ("top_product_per_region", ())],
)
def test_an_empty_table_gives_an_empty_list(reports, empty, sql_counter, name, args):
    rows, _ = run(empty, sql_counter, getattr(reports, name), *args)
    assert rows == [], f"{name} on an empty table returned {rows}"
