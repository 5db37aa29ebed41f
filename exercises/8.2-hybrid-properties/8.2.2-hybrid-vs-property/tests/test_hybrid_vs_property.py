import pytest
from sqlalchemy import select
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

# (key, owner_name, balance_cents, balance_display)
ACCOUNTS = [
    ("ann", "Ann", 123456, "$1,234.56"),
    ("bob", "Bob Marley", -500, "-$5.00"),
    ("zoe", "Zoë", 7, "$0.07"),
    ("kim", "Kimberley", 0, "$0.00"),
    ("max", "Maximilian", -123456789, "-$1,234,567.89"),
    ("eve", "Eve Ng", 100000000, "$1,000,000.00"),
    ("ned", "Ned", -7, "-$0.07"),
]
OVERDRAWN = ["bob", "max", "ned"]
LENGTHS = {key: len(name) for key, name, *_ in ACCOUNTS}


@pytest.fixture
def models(learner):
    return learner.require("models", "Base", "Account")


@pytest.fixture
def bank(models, db_engine):
    engine = db_engine(models.Base.metadata)
    with Session(engine) as session:
        rows = {
            key: models.Account(owner_name=name, balance_cents=cents)
            for key, name, cents, _ in ACCOUNTS
        }
        session.add_all(rows.values())
        session.commit()
        ids = {key: row.id for key, row in rows.items()}
    return engine, ids


def keys_of(ids, rows):
    by_id = {value: key for key, value in ids.items()}
    return [by_id.get(row, row) for row in rows]


# --- Task 1: balance_display -----------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_balance_display_on_rows(models, bank):
    engine, ids = bank
    expected = {key: shown for key, _, _, shown in ACCOUNTS}
    with Session(engine) as session:
        got = {key: session.get(models.Account, id_).balance_display for key, id_ in ids.items()}
    assert got == expected, f"balance_display gave {got}, expected {expected}"


@pytest.mark.task(1)
def test_balance_display_follows_a_change(models, bank):
    engine, ids = bank
    with Session(engine) as session:
        account = session.get(models.Account, ids["ann"])
        before = account.balance_display
        account.balance_cents = -2050
        after = account.balance_display
    assert (before, after) == ("$1,234.56", "-$20.50"), (
        f"balance_display read {before!r}, then {after!r} after balance_cents = -2050 "
        f"(expected '$1,234.56' then '-$20.50')"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_balance_display_is_a_plain_property_sql_refuses(models):
    Account = models.Account
    attribute = Account.balance_display
    assert isinstance(attribute, property), (
        f"Account.balance_display on the class is {type(attribute).__name__}, not a property"
    )
    with pytest.raises(ArgumentError):
        select(Account).where(Account.balance_display)


# --- Task 2: is_overdrawn --------------------------------------------------------------------


@pytest.mark.task(2)
def test_is_overdrawn_on_rows(models, bank):
    engine, ids = bank
    with Session(engine) as session:
        got = {key: session.get(models.Account, id_).is_overdrawn for key, id_ in ids.items()}
    expected = {key: key in OVERDRAWN for key in ids}
    assert got == expected, f"is_overdrawn gave {got}, expected {expected} (0 is not overdrawn)"
    assert all(type(value) is bool for value in got.values()), f"is_overdrawn gave {got}, not bools"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_where_is_overdrawn_in_one_statement(models, bank, sql_counter):
    engine, ids = bank
    Account = models.Account
    with Session(engine) as session, sql_counter(engine) as counted:
        rows = session.scalars(select(Account).where(Account.is_overdrawn)).all()
        got = sorted(keys_of(ids, [row.id for row in rows]))
    assert got == OVERDRAWN, f"where(Account.is_overdrawn) found {got}, expected {OVERDRAWN}"
    assert counted.count == 1, f"the filtered select ran {counted.count} SQL statements"


@pytest.mark.task(2)
def test_where_not_overdrawn(models, bank):
    engine, ids = bank
    Account = models.Account
    with Session(engine) as session:
        got = sorted(keys_of(ids, session.scalars(select(Account.id).where(~Account.is_overdrawn))))
    expected = sorted(key for key in ids if key not in OVERDRAWN)
    assert got == expected, f"where(~Account.is_overdrawn) found {got}, expected {expected}"


# --- Task 3: name_length ---------------------------------------------------------------------


@pytest.mark.task(3)
def test_name_length_on_rows(models, bank):
    engine, ids = bank
    with Session(engine) as session:
        got = {key: session.get(models.Account, id_).name_length for key, id_ in ids.items()}
    assert got == LENGTHS, f"name_length gave {got}, expected {LENGTHS}"


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_where_name_length_above_5_in_one_statement(models, bank, sql_counter):
    engine, ids = bank
    Account = models.Account
    with Session(engine) as session, sql_counter(engine) as counted:
        rows = session.scalars(select(Account).where(Account.name_length > 5)).all()
        got = sorted(keys_of(ids, [row.id for row in rows]))
    expected = sorted(key for key, length in LENGTHS.items() if length > 5)
    assert got == expected, f"where(Account.name_length > 5) found {got}, expected {expected}"
    assert counted.count == 1, f"the filtered select ran {counted.count} SQL statements"


@pytest.mark.task(3)
def test_order_by_name_length(models, bank):
    engine, ids = bank
    Account = models.Account
    with Session(engine) as session:
        stmt = select(Account.id).order_by(Account.name_length, Account.id)
        got = keys_of(ids, session.scalars(stmt).all())
    expected = sorted(LENGTHS, key=lambda key: (LENGTHS[key], ids[key]))
    assert got == expected, (
        f"order_by(Account.name_length, Account.id) gave {got}, expected {expected}"
    )


# --- Tasks 2 and 3: the hybrids on the class are SQL expressions -----------------------------


@pytest.mark.task(2)
@pytest.mark.task(3)
@pytest.mark.points(2)
def test_database_values_match_the_rows(models, bank):
    engine, ids = bank
    Account = models.Account
    with Session(engine) as session:
        rows = session.execute(select(Account.id, Account.is_overdrawn, Account.name_length)).all()
        sql = {row[0]: (bool(row[1]), row[2]) for row in rows}
        python = {a.id: (a.is_overdrawn, a.name_length) for a in session.scalars(select(Account))}
    assert sql == python, (
        f"select(Account.id, Account.is_overdrawn, Account.name_length) gave {sql}; "
        f"the rows gave {python}"
    )
