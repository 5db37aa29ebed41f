import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError, NoInspectionAvailable, SQLAlchemyError
from sqlalchemy.orm import Session

# The org chart every test starts from: name -> (class, department, manager's name)
CHART = {
    "Alice": ("Manager", "Engineering", None),
    "Dave": ("Manager", "Research", "Alice"),
    "Bob": ("Employee", None, "Alice"),
    "Carol": ("Employee", None, "Alice"),
    "Erin": ("Employee", None, "Dave"),
    "Frank": ("Employee", None, None),
}
EVERYONE = sorted(CHART)
MANAGERS = ["Alice", "Dave"]


# ------------------------------------------------------------------------------------ helpers


def mapped(learner, name):
    """models.<name>, which must be a mapped class."""
    value = getattr(learner.require("models", name), name)
    try:
        inspect(value)
    except NoInspectionAvailable:
        raise AssertionError(f"models.{name} ({value!r}) is not a mapped class") from None
    return value


@pytest.fixture
def Employee(learner):
    return mapped(learner, "Employee")


@pytest.fixture
def Manager(learner):
    return mapped(learner, "Manager")


@pytest.fixture
def engine(learner, Employee, db_engine):
    """Base.metadata's tables, foreign keys enforced."""
    return db_engine(learner.require("models", "Base").Base.metadata)


@pytest.fixture
def ids(engine, Employee, Manager):
    """Stores CHART, setting manager_id by hand (not through reports); name -> id."""
    ids = {}
    try:
        with Session(engine) as session:
            for name in ("Alice", "Dave", "Bob", "Carol", "Erin", "Frank"):
                kind, department, boss = CHART[name]
                fields = {"name": name, "manager_id": ids[boss] if boss else None}
                if kind == "Manager":
                    person = Manager(department=department, **fields)
                else:
                    person = Employee(**fields)
                session.add(person)
                session.flush()
                ids[name] = person.id
            session.commit()
    except (SQLAlchemyError, TypeError) as exc:
        raise AssertionError(
            "storing the org chart with Manager(name=..., department=..., manager_id=...) and "
            f"Employee(name=..., manager_id=...) failed: {type(exc).__name__}: {exc}"
        ) from None
    return ids


def reports_of(manager, Employee):
    """manager.reports as a list; a single object or None means a many-to-one relationship."""
    reports = manager.reports
    if reports is None or isinstance(reports, Employee):
        raise AssertionError(
            f"{manager.name}'s reports is {reports!r}, not a list of employees: the relationship "
            "came out many-to-one. In joined-table inheritance relationship() follows the "
            "managers.id -> employees.id key unless primaryjoin/foreign_keys name manager_id"
        )
    return list(reports)


def kind(obj, Employee, Manager):
    if type(obj) is Manager:
        return "Manager"
    if type(obj) is Employee:
        return "Employee"
    return type(obj).__name__


# ------------------------------------------------------------------ Task 1: the Employee model


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    'polymorphic_identity="employee" in Employee\'s __mapper_args__ fills type for every plain '
    "Employee; the discriminator is set by SQLAlchemy, never passed by hand."
)
def test_employee_round_trip_sets_the_discriminator(engine, Employee):
    with Session(engine) as session:
        session.add_all([Employee(name="Bob"), Employee(name="Carol")])
        session.commit()
    with Session(engine) as session:
        people = session.scalars(select(Employee).order_by(Employee.name)).all()
        assert [p.name for p in people] == ["Bob", "Carol"], (
            f"after saving Bob and Carol, select(Employee) found {[p.name for p in people]}"
        )
        bob = people[0]
        assert type(bob) is Employee, f"Bob loaded as {type(bob).__name__}, not Employee"
        assert isinstance(bob.id, int), f"a saved Employee has id {bob.id!r}"
        assert bob.type == "employee", f"a plain Employee has type == {bob.type!r}"
        assert bob.manager_id is None, f"an Employee saved without a manager has {bob.manager_id=}"


@pytest.mark.task(1)
@pytest.mark.hint('manager_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))')
def test_manager_id_is_a_foreign_key(engine, Employee):
    with Session(engine) as session:
        session.add(Employee(name="Nobody's report", manager_id=999))
        try:
            session.commit()
        except IntegrityError:
            return
    raise AssertionError(
        "an Employee with manager_id=999 (no such employee) was stored: manager_id should be a "
        "foreign key to another employee's id"
    )


# ------------------------------------------------------------------ Task 2: Manager(Employee)


@pytest.mark.task(2)
@pytest.mark.hint(
    "class Manager(Employee), not class Manager(Base): a Manager is an Employee, and that is "
    "what lets select(Employee) find managers."
)
def test_manager_subclasses_employee(Employee, Manager):
    assert Manager is not Employee, "models.Manager is the Employee class itself"
    assert issubclass(Manager, Employee), (
        f"Manager's bases are {[b.__name__ for b in Manager.__bases__]}: it should subclass "
        "Employee"
    )


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "With polymorphic_on and a polymorphic_identity per class, select(Employee) reads type and "
    "builds a Manager for each row whose type is 'manager'."
)
def test_select_employee_loads_managers_as_managers(engine, Employee, Manager, ids):
    with Session(engine) as session:
        people = session.scalars(select(Employee).order_by(Employee.name)).all()
        seen = [(p.name, kind(p, Employee, Manager)) for p in people]
        expected = [(name, CHART[name][0]) for name in EVERYONE]
        assert seen == expected, f"select(Employee) loaded {seen}, expected {expected}"
        by_name = {p.name: p for p in people}
        departments = {name: by_name[name].department for name in MANAGERS}
        assert departments == {"Alice": "Engineering", "Dave": "Research"}, (
            f"the managers loaded through select(Employee) have the departments {departments}"
        )
        types = {p.name: p.type for p in people}
        expected_types = {n: CHART[n][0].lower() for n in EVERYONE}
        assert types == expected_types, f"the type attributes are {types}"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_select_manager_returns_only_managers(engine, Employee, Manager, ids):
    with Session(engine) as session:
        managers = session.scalars(select(Manager).order_by(Manager.name)).all()
        seen = [(m.name, kind(m, Employee, Manager)) for m in managers]
        assert seen == [("Alice", "Manager"), ("Dave", "Manager")], (
            f"select(Manager) loaded {seen}: it should find Alice and Dave only"
        )
        research = session.scalars(select(Manager).where(Manager.department == "Research")).all()
        assert [m.name for m in research] == ["Dave"], (
            f"select(Manager).where(Manager.department == 'Research') found "
            f"{[m.name for m in research]}"
        )


@pytest.mark.task(2)
def test_get_by_id_through_employee_returns_a_manager(engine, Employee, Manager, ids):
    with Session(engine) as session:
        alice = session.get(Employee, ids["Alice"])
        assert alice is not None and type(alice) is Manager, (
            f"session.get(Employee, <Alice's id>) returned {type(alice).__name__}, not a Manager"
        )
        assert alice.department == "Engineering", f"Alice's department is {alice.department!r}"
        frank = session.get(Employee, ids["Frank"])
        assert type(frank) is Employee, f"Frank loaded as {type(frank).__name__}, not Employee"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Declare department on Manager only. The constructor SQLAlchemy gives each mapped class "
    "accepts that class's mapped attributes, so Employee(department=...) raises TypeError."
)
def test_employee_has_no_department(Employee, Manager):
    manager = Manager(name="Grace", department="Compilers")
    assert manager.department == "Compilers"
    try:
        Employee(name="Heidi", department="Sales")
    except TypeError:
        return
    raise AssertionError("Employee(name=..., department=...) was accepted: only managers have one")


# ------------------------------------------------------------------ Task 3: Manager.reports


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "reports: Mapped[list[Employee]] = relationship() on Manager: a one-to-many from the manager "
    "to the employees whose manager_id is the manager's id. remote_side=... would turn it into "
    "the manager's own manager."
)
def test_reports_lists_the_direct_reports(engine, Employee, Manager, ids):
    with Session(engine) as session:
        alice = session.get(Manager, ids["Alice"])
        dave = session.get(Manager, ids["Dave"])
        reports = {m.name: sorted(r.name for r in reports_of(m, Employee)) for m in (alice, dave)}
        assert reports == {"Alice": ["Bob", "Carol", "Dave"], "Dave": ["Erin"]}, (
            f"the managers' reports are {reports}"
        )
        kinds = {r.name: kind(r, Employee, Manager) for r in reports_of(alice, Employee)}
        assert kinds == {"Bob": "Employee", "Carol": "Employee", "Dave": "Manager"}, (
            f"Alice's reports loaded as {kinds}"
        )


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_adding_reports_sets_their_manager_id(engine, Employee, Manager):
    with Session(engine) as session:
        lead = Manager(name="Grace", department="Compilers", reports=[Employee(name="Ivan")])
        judy = Manager(name="Judy", department="Legal")
        assert reports_of(judy, Employee) == [], (
            f"a new Manager's reports is {judy.reports!r}, not an empty list"
        )
        lead.reports.append(Employee(name="Kim"))
        session.add(lead)
        session.commit()
        lead_id = lead.id
    with Session(engine) as session:
        people = {e.name: e for e in session.scalars(select(Employee))}
        assert sorted(people) == ["Grace", "Ivan", "Kim"], (
            f"after saving Grace with two reports, select(Employee) finds {sorted(people)}"
        )
        bosses = {name: people[name].manager_id for name in ("Ivan", "Kim")}
        assert bosses == {"Ivan": lead_id, "Kim": lead_id}, (
            f"Grace (id {lead_id}) was saved with reports Ivan and Kim, whose manager_id are "
            f"{bosses}"
        )
        assert people["Grace"].manager_id is None


@pytest.mark.task(3)
def test_a_manager_without_reports_has_an_empty_list(engine, Employee, Manager, ids):
    with Session(engine) as session:
        session.add(Manager(name="Judy", department="Legal"))
        session.commit()
    with Session(engine) as session:
        judy = session.scalars(select(Manager).where(Manager.name == "Judy")).one()
        assert reports_of(judy, Employee) == [], (
            f"Judy has no reports, yet reports is {judy.reports!r}"
        )
