import pytest
from sqlalchemy.orm import Session

from grader import testing

# (key, name, manager key), inserted in this order: ids grow down the list.
# Two roots (Ada, Mel); two different people called Sam, the one under Ken stored first.
ORG = [
    ("ada", "Ada", None),
    ("mel", "Mel", None),
    ("grace", "Grace", "ada"),
    ("ken", "Ken", "ada"),
    ("sam_k", "Sam", "ken"),
    ("linus", "Linus", "grace"),
    ("sam_g", "Sam", "grace"),
    ("barbara", "Barbara", "ken"),
    ("tim", "Tim", "linus"),
]


@pytest.fixture
def models(learner):
    return learner.require("models", "Base", "User")


@pytest.fixture
def queries(learner, models):
    return learner.require("queries", "employees_with_managers", "peers", "chain_of_command")


def seed(models, engine):
    """Store ORG; the id of each person, by key."""
    with Session(engine) as session:
        users = {}
        for key, name, boss in ORG:
            users[key] = models.User(name=name, manager=users[boss] if boss else None)
            session.add(users[key])
            session.flush()
        session.commit()
        return {key: user.id for key, user in users.items()}


@pytest.fixture(scope="module")
def seeded_org(learner):
    """One in-memory database for the module (foreign keys on), the org chart stored once, and
    a copy of it that every test starts from."""
    models = learner.require("models", "Base", "User")
    engine = testing.memory_engine(models.Base.metadata)
    ids = seed(models, engine)
    seeded = testing.SavedDatabase(engine)
    yield engine, ids, seeded
    seeded.close()
    engine.dispose()


@pytest.fixture
def org(models, seeded_org):
    """The engine and the id of each person, by key; the database holds exactly the org chart
    as stored (ids included), whatever an earlier test changed."""
    engine, ids, seeded = seeded_org
    seeded.restore()
    return engine, dict(ids)


def run(engine, sql_counter, function, *args):
    with Session(engine) as session, sql_counter(engine) as counted:
        result = function(session, *args)
        result = list(result)
    return result, counted


# --- Task 1: the model ---------------------------------------------------------------------


@pytest.mark.task(1)
def test_a_root_has_no_manager(models, org):
    engine, ids = org
    with Session(engine) as session:
        ada = session.get(models.User, ids["ada"])
        assert ada.manager is None, f"Ada (no manager) has manager {ada.manager!r}"
        assert ada.manager_id is None, f"Ada's manager_id is {ada.manager_id!r}, expected None"


@pytest.mark.task(1)
def test_manager_and_reports_follow_the_foreign_key(models, org):
    engine, ids = org
    with Session(engine) as session:
        sam = session.get(models.User, ids["sam_g"])
        assert sam.manager is not None and sam.manager.name == "Grace", (
            f"Sam (stored under Grace) has manager {getattr(sam.manager, 'name', None)!r}"
        )
        assert sam.manager_id == ids["grace"], f"Sam's manager_id is {sam.manager_id!r}"
        ken = session.get(models.User, ids["ken"])
        reports = sorted(user.name for user in ken.reports)
        assert reports == ["Barbara", "Sam"], f"Ken.reports holds {reports}"


@pytest.mark.task(1)
def test_setting_manager_id_is_seen_by_the_relationships(models, org):
    engine, ids = org
    with Session(engine) as session:
        tim = session.get(models.User, ids["tim"])
        tim.manager_id = ids["mel"]
        session.commit()
    with Session(engine) as session:
        mel = session.get(models.User, ids["mel"])
        reports = [user.name for user in mel.reports]
        assert reports == ["Tim"], f"after Tim.manager_id = Mel's id, Mel.reports is {reports}"


@pytest.mark.task(1)
def test_setting_manager_updates_both_reports_at_once(models, org):
    engine, ids = org
    with Session(engine) as session:
        tim = session.get(models.User, ids["tim"])
        linus = tim.manager
        mel = session.get(models.User, ids["mel"])
        before = ([user.name for user in linus.reports], [user.name for user in mel.reports])
        assert before == (["Tim"], []), f"Linus.reports and Mel.reports are {before}"
        tim.manager = mel  # no flush, no commit: the link itself updates the other side
        after = ([user.name for user in linus.reports], [user.name for user in mel.reports])
        assert after == ([], ["Tim"]), (
            f"after Tim.manager = Mel (before any flush), Linus.reports and Mel.reports are "
            f"{after}, expected ([], ['Tim']): manager and reports must be the two sides of one "
            "link (back_populates), not two separate relationships"
        )


# --- Task 2: employees_with_managers ---------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_every_employee_with_their_managers_name(queries, org, sql_counter):
    engine, _ = org
    rows, _ = run(engine, sql_counter, queries.employees_with_managers)
    rows = [tuple(row) for row in rows]
    names = {key: name for key, name, _ in ORG}
    expected = [(name, names.get(boss)) for _, name, boss in ORG]
    assert sorted(rows, key=repr) == sorted(expected, key=repr), (
        f"employees_with_managers returned {rows}"
    )


@pytest.mark.task(2)
def test_roots_are_listed_with_none(queries, org, sql_counter):
    engine, _ = org
    rows, _ = run(engine, sql_counter, queries.employees_with_managers)
    roots = [tuple(row) for row in rows if row[0] in ("Ada", "Mel")]
    assert roots == [("Ada", None), ("Mel", None)], (
        f"the two users without a manager came back as {roots}"
    )


@pytest.mark.task(2)
def test_ordered_by_name_then_id(queries, org, sql_counter):
    engine, _ = org
    rows, _ = run(engine, sql_counter, queries.employees_with_managers)
    got = [tuple(row) for row in rows]
    expected = [
        ("Ada", None), ("Barbara", "Ken"), ("Grace", "Ada"), ("Ken", "Ada"), ("Linus", "Grace"),
        ("Mel", None), ("Sam", "Ken"), ("Sam", "Grace"), ("Tim", "Linus"),
    ]  # fmt: skip
    assert got == expected, (
        f"employees_with_managers returned {got}; the two Sams must come in id order "
        f"(the one under Ken was stored first)"
    )


@pytest.mark.task(2)
@pytest.mark.hint(
    "Ordered by name alone, two users with the same name come out in whatever order the "
    "database read them (here through an index on name and manager_id): "
    "`.order_by(User.name, User.id)` puts them in id order."
)
def test_same_names_are_ordered_by_id_itself(queries, org):
    engine, _ = org
    with engine.begin() as conn:  # gone again for the next test (the saved database has none)
        conn.exec_driver_sql("CREATE INDEX ix_users_name_manager ON users (name, manager_id)")
    with Session(engine) as session:
        got = [tuple(row) for row in queries.employees_with_managers(session)]
    sams = [row for row in got if row[0] == "Sam"]
    assert sams == [("Sam", "Ken"), ("Sam", "Grace")], (
        f"with an index on users (name, manager_id), employees_with_managers gave the two "
        f"Sams as {sams}: the one under Ken (stored first, the lower id) must come first "
        "whatever order the database reads the rows in; order by id after name in the query"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_employees_with_managers_runs_one_statement(queries, org, sql_counter):
    engine, _ = org
    _, counted = run(engine, sql_counter, queries.employees_with_managers)
    assert counted.count == 1, (
        f"employees_with_managers ran {counted.count} SQL statements for 9 users (expected 1)"
    )


# --- Task 3: peers -------------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("sam_g", ["Linus"]),
        ("linus", ["Sam"]),
        ("ken", ["Grace"]),
        ("barbara", ["Sam"]),
        ("tim", []),
    ],
)
def test_peers_share_the_manager_and_exclude_the_user(queries, org, sql_counter, key, expected):
    engine, ids = org
    got, _ = run(engine, sql_counter, queries.peers, ids[key])
    assert got == expected, f"peers of {key} returned {got}, expected {expected}"


@pytest.mark.task(3)
def test_peers_are_ordered_by_name(models, queries, org, sql_counter):
    engine, ids = org
    with Session(engine) as session:
        grace = session.get(models.User, ids["grace"])
        for name in ["Zed", "Alan", "Linus"]:
            session.add(models.User(name=name, manager=grace))
        session.commit()
    got, _ = run(engine, sql_counter, queries.peers, ids["sam_g"])
    assert got == ["Alan", "Linus", "Linus", "Zed"], f"peers of Sam (under Grace) returned {got}"


@pytest.mark.task(3)
def test_a_peer_with_the_same_name_is_still_a_peer(models, queries, org, sql_counter):
    engine, ids = org
    with Session(engine) as session:
        grace = session.get(models.User, ids["grace"])
        session.add(models.User(name="Sam", manager=grace))
        session.commit()
    got, _ = run(engine, sql_counter, queries.peers, ids["sam_g"])
    assert got == ["Linus", "Sam"], (
        f"Grace manages Linus and two different users called Sam; peers of one Sam returned "
        f"{got}, expected ['Linus', 'Sam'] (the other Sam is another user)"
    )


@pytest.mark.task(3)
def test_a_root_has_no_peers(queries, org, sql_counter):
    engine, ids = org
    got, _ = run(engine, sql_counter, queries.peers, ids["ada"])
    assert got == [], f"peers of Ada (no manager) returned {got}; users without a manager have none"


@pytest.mark.task(3)
def test_peers_of_an_unknown_id_is_empty(queries, org, sql_counter):
    engine, _ = org
    got, _ = run(engine, sql_counter, queries.peers, 999)
    assert got == [], f"peers(session, 999) returned {got}"


@pytest.mark.task(3)
def test_peers_runs_one_statement(queries, org, sql_counter):
    engine, ids = org
    _, counted = run(engine, sql_counter, queries.peers, ids["sam_g"])
    assert counted.count == 1, f"peers ran {counted.count} SQL statements (expected 1)"


# --- Task 4: chain_of_command ----------------------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("tim", ["Tim", "Linus", "Grace", "Ada"]),
        ("sam_k", ["Sam", "Ken", "Ada"]),
        ("grace", ["Grace", "Ada"]),
        ("ada", ["Ada"]),
    ],
)
def test_chain_runs_from_the_user_to_the_root(queries, org, sql_counter, key, expected):
    engine, ids = org
    got, _ = run(engine, sql_counter, queries.chain_of_command, ids[key])
    assert got == expected, f"chain_of_command for {key} returned {got}, expected {expected}"


@pytest.mark.task(4)
def test_chain_follows_the_managers_not_the_ids(models, queries, org, sql_counter):
    engine, ids = org
    with Session(engine) as session:
        ada = session.get(models.User, ids["ada"])
        zoe = models.User(name="Zoe", manager=ada)  # hired last: the highest id of all
        session.add(zoe)
        session.flush()
        session.get(models.User, ids["grace"]).manager_id = zoe.id
        session.commit()
    got, _ = run(engine, sql_counter, queries.chain_of_command, ids["tim"])
    expected = ["Tim", "Linus", "Grace", "Zoe", "Ada"]
    assert got == expected, (
        f"after a reorganisation Grace reports to Zoe, who was stored after everyone else (a "
        f"higher id than Tim's); chain_of_command for Tim returned {got}, expected {expected}: "
        f"the order is the order of the steps up the chart, not of the ids"
    )


def outside_parentheses(sql: str) -> str:
    """The statement with every parenthesised part (the CTE's body, subqueries) removed."""
    kept, depth = [], 0
    for char in sql:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif depth == 0:
            kept.append(char)
    return " ".join("".join(kept).split()).upper()


@pytest.mark.task(4)
def test_the_final_select_orders_the_chain(queries, org, sql_counter):
    engine, ids = org
    got, counted = run(engine, sql_counter, queries.chain_of_command, ids["tim"])
    assert got == ["Tim", "Linus", "Grace", "Ada"], f"chain_of_command for Tim returned {got}"
    final = [outside_parentheses(sql) for sql in counted.statements]
    assert counted.count == 1 and "ORDER BY" in final[0], (
        "the SELECT that reads the chain has no ORDER BY of its own (outside the CTE): rows "
        "come back in the order the database happens to produce them; statements run: "
        f"{counted.statements}"
    )


@pytest.mark.task(4)
def test_chain_of_an_unknown_id_is_empty(queries, org, sql_counter):
    engine, _ = org
    got, _ = run(engine, sql_counter, queries.chain_of_command, 999)
    assert got == [], f"chain_of_command(session, 999) returned {got}"


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_chain_runs_one_statement_however_deep(models, queries, org, sql_counter):
    engine, ids = org
    with Session(engine) as session:
        boss = session.get(models.User, ids["tim"])
        for level in range(6):
            boss = models.User(name=f"Intern {level}", manager=boss)
            session.add(boss)
        session.commit()
        leaf = boss.id
    got, counted = run(engine, sql_counter, queries.chain_of_command, leaf)
    assert len(got) == 10 and got[0] == "Intern 5" and got[-1] == "Ada", (
        f"chain_of_command for a user 10 levels deep returned {got}"
    )
    assert counted.count == 1, (
        f"chain_of_command ran {counted.count} SQL statements for a 10-level chain (expected 1)"
    )
