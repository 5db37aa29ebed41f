from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Integer, String, Text, func, inspect, select
from sqlalchemy.exc import NoInspectionAvailable, SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from grader.testing import EPOCH

# The kit's clock starts at EPOCH; the tests move it on to T2 and T3.
T1 = EPOCH
T2 = EPOCH + timedelta(days=33, hours=2, minutes=15, seconds=16, microseconds=170000)
T3 = EPOCH + timedelta(days=62, hours=17, minutes=6, seconds=7, microseconds=800000)
TIMESTAMPS = {"created_at", "updated_at"}
EVERY_MIXIN_COLUMN = {"created_at", "updated_at", "deleted_at"}


# ------------------------------------------------------------------------------------ helpers


def need(learner, name):
    """models.<name>; the test fails with one line when models.py lacks it."""
    return getattr(learner.require("models", name), name)


def mapped(learner, name):
    cls = need(learner, name)
    try:
        inspect(cls)
    except NoInspectionAvailable:
        raise AssertionError(f"models.{name} ({cls!r}) is not a mapped class") from None
    return cls


def define(description, make):
    """Declare a test-defined model on the learner's Base; a failure says which one."""
    try:
        return make()
    except Exception as exc:
        raise AssertionError(
            f"declaring the tests' own model {description} failed: {type(exc).__name__}: {exc}"
        ) from None


def naive_utc(value, what):
    """SQLite hands datetimes back without a timezone; compare instants as naive UTC."""
    assert isinstance(value, datetime), f"{what} is {value!r}, not a datetime"
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def assert_time(value, expected, what):
    seen = naive_utc(value, what)
    if seen == naive_utc(expected, "expected"):
        return
    advice = ""
    if abs(seen - naive_utc(datetime.now(UTC), "now")) < timedelta(days=1):
        advice = (
            ": that is the real time, so the code never called the replaced models.utcnow. "
            "Call utcnow() when the row is written, e.g. default=lambda: utcnow(); "
            "default=utcnow keeps the original function object"
        )
    raise AssertionError(
        f"{what} is {value!r}, but the fake clock said {expected.isoformat()}{advice}"
    )


def columns_of(cls):
    return set(inspect(cls).columns.keys())


def move(clock, moment):
    """Move the fake clock forward to `moment`."""
    clock.advance((moment - clock.now()).total_seconds())
    assert clock.now() == moment


@pytest.fixture
def models(learner):
    return learner("models")


@pytest.fixture
def fake_clock(learner, clock, monkeypatch):
    """The kit's clock (at T1) in place of models.utcnow."""
    models = learner.require("models", "utcnow")
    monkeypatch.setattr(models, "utcnow", clock.now)
    assert clock.now() == T1
    return clock


@pytest.fixture
def engine_for(db_engine):
    """engine_for(*classes): an in-memory SQLite database holding only their tables."""

    def make(*classes):
        engine = db_engine()
        tables = [cls.__table__ for cls in classes]
        tables[0].metadata.create_all(engine, tables=tables)
        return engine

    return make


# The tests' own models, declared once per run on the learner's Base.


@pytest.fixture(scope="module")
def Note(learner):
    base, mixin = need(learner, "Base"), need(learner, "TimestampMixin")

    def make():
        class ProbeNote(mixin, base):
            __tablename__ = "probe_notes"
            id: Mapped[int] = mapped_column(primary_key=True)
            text: Mapped[str] = mapped_column(String(100))

        return ProbeNote

    cls = define("ProbeNote(TimestampMixin, Base)", make)
    missing = TIMESTAMPS - columns_of(cls)
    assert not missing, (
        f"a model declared as ProbeNote(TimestampMixin, Base) has no {sorted(missing)} column: "
        "TimestampMixin itself must declare created_at and updated_at with mapped_column()"
    )
    return cls


@pytest.fixture(scope="module")
def Draft(learner):
    base, mixin = need(learner, "Base"), need(learner, "SoftDeleteMixin")

    def make():
        class ProbeDraft(mixin, base):
            __tablename__ = "probe_drafts"
            id: Mapped[int] = mapped_column(primary_key=True)
            text: Mapped[str] = mapped_column(String(100))

        return ProbeDraft

    cls = define("ProbeDraft(SoftDeleteMixin, Base)", make)
    assert "deleted_at" in columns_of(cls), (
        "a model declared as ProbeDraft(SoftDeleteMixin, Base) has no deleted_at column: "
        "SoftDeleteMixin itself must declare it with mapped_column()"
    )
    return cls


@pytest.fixture(scope="module")
def UserProfileImage(learner):
    base = need(learner, "Base")
    mixins = tuple(
        need(learner, name) for name in ("TablenameMixin", "TimestampMixin", "SoftDeleteMixin")
    )

    def make():
        class UserProfileImage(*mixins, base):
            id: Mapped[int] = mapped_column(primary_key=True)
            url: Mapped[str] = mapped_column(String(300))

        return UserProfileImage

    return define(
        "UserProfileImage(TablenameMixin, TimestampMixin, SoftDeleteMixin, Base) "
        "with only id and url",
        make,
    )


# --------------------------------------------------------------------- Task 1: TimestampMixin


@pytest.mark.task(1)
@pytest.mark.hint("from datetime import UTC; def utcnow() -> datetime: return datetime.now(UTC)")
def test_utcnow_is_the_current_time_in_utc(learner):
    now = need(learner, "utcnow")()
    assert isinstance(now, datetime), f"utcnow() returned {now!r}, not a datetime"
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0), (
        f"utcnow() returned {now!r}: it should be timezone-aware, in UTC "
        "(datetime.now(UTC); datetime.utcnow() is naive and deprecated)"
    )
    drift = abs(now - datetime.now(UTC))
    assert drift < timedelta(minutes=1), f"utcnow() is {drift} away from the current time"


@pytest.mark.task(1)
@pytest.mark.hint(
    "Declare the columns as DateTime(timezone=True): SQLite drops the zone, PostgreSQL keeps it."
)
def test_timestamps_are_timezone_aware_columns(Note):
    for name in sorted(TIMESTAMPS):
        column = Note.__table__.c[name]
        assert getattr(column.type, "timezone", False), (
            f"{name} is declared as {column.type!r}: the prompt asks for DateTime(timezone=True)"
        )


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_insert_sets_both_timestamps_from_the_clock(Note, fake_clock, engine_for):
    engine = engine_for(Note)
    with Session(engine) as session:
        session.add(Note(text="first"))
        session.commit()
    with Session(engine) as session:
        note = session.scalars(select(Note)).one()
        assert_time(note.created_at, T1, "created_at of a new row")
        assert_time(note.updated_at, T1, "updated_at of a new row")


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "updated_at needs onupdate= as well as default=; created_at gets a default only, so an "
    "UPDATE leaves it alone."
)
def test_update_moves_updated_at_but_not_created_at(Note, fake_clock, engine_for):
    engine = engine_for(Note)
    with Session(engine) as session:
        session.add(Note(text="first"))
        session.commit()
    move(fake_clock, T2)
    with Session(engine) as session:
        session.scalars(select(Note)).one().text = "edited"
        session.commit()
    with Session(engine) as session:
        note = session.scalars(select(Note)).one()
        assert note.text == "edited"
        assert_time(note.updated_at, T2, "updated_at after an UPDATE")
        assert_time(note.created_at, T1, "created_at after an UPDATE")


# -------------------------------------------------------------------- Task 2: SoftDeleteMixin


@pytest.mark.task(2)
def test_a_new_row_is_not_deleted(Draft, fake_clock, engine_for):
    engine = engine_for(Draft)
    with Session(engine) as session:
        draft = Draft(text="keep me")
        assert draft.is_deleted is False, f"a new object has is_deleted == {draft.is_deleted!r}"
        session.add(draft)
        session.commit()
    with Session(engine) as session:
        draft = session.scalars(select(Draft)).one()
        assert draft.deleted_at is None, f"a new row has deleted_at = {draft.deleted_at!r}"
        assert draft.is_deleted is False, f"a new row has is_deleted == {draft.is_deleted!r}"


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "soft_delete() only sets self.deleted_at = utcnow(); the session's commit stores it as an "
    "UPDATE and the row stays in the table. is_deleted is a @property: deleted_at is not None."
)
def test_soft_delete_marks_the_row_and_keeps_it(Draft, fake_clock, engine_for):
    engine = engine_for(Draft)
    with Session(engine) as session:
        session.add_all([Draft(text="gone"), Draft(text="kept")])
        session.commit()
    move(fake_clock, T3)
    with Session(engine) as session:
        draft = session.scalars(select(Draft).where(Draft.text == "gone")).one()
        result = draft.soft_delete()
        assert result is None, f"soft_delete() returned {result!r}; it should return None"
        assert draft.is_deleted is True, (
            f"right after soft_delete(), is_deleted == {draft.is_deleted!r}"
        )
        session.commit()
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(Draft))
        assert count == 2, f"after soft_delete() and commit the table holds {count} rows, not 2"
        drafts = {d.text: d for d in session.scalars(select(Draft))}
        assert drafts["gone"].is_deleted is True, (
            f"the soft-deleted row loads with is_deleted == {drafts['gone'].is_deleted!r}"
        )
        assert_time(drafts["gone"].deleted_at, T3, "deleted_at after soft_delete()")
        assert drafts["kept"].deleted_at is None, "soft_delete() also marked another row"


@pytest.mark.task(2)
@pytest.mark.hint(
    "deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True)): nullable, "
    "and timezone-aware like the timestamps."
)
def test_deleted_at_is_a_nullable_timezone_aware_column(Draft):
    column = Draft.__table__.c.deleted_at
    assert column.nullable, "deleted_at is NOT NULL: a row that is not deleted holds None"
    assert getattr(column.type, "timezone", False), (
        f"deleted_at is declared as {column.type!r}: the prompt asks for a timezone-aware "
        "datetime, DateTime(timezone=True)"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "soft_delete() only marks the object; the caller decides when to commit. Don't call "
    "commit() (or delete()) inside it: a caller that rolls back must find the row unmarked."
)
def test_soft_delete_does_not_commit(Draft, fake_clock, engine_for):
    engine = engine_for(Draft)
    with Session(engine) as session:
        session.add(Draft(text="maybe"))
        session.commit()
    move(fake_clock, T2)
    with Session(engine) as session:
        draft = session.scalars(select(Draft)).one()
        try:
            draft.soft_delete()
        finally:
            session.rollback()
    with Session(engine) as session:
        stored = [(d.text, d.deleted_at) for d in session.scalars(select(Draft))]
    assert stored == [("maybe", None)], (
        "soft_delete() followed by the caller's rollback left the rows (text, deleted_at) "
        f"{stored}: soft_delete() committed the change itself"
    )


# -------------------------------------------------------------------- Task 3: TablenameMixin


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "In a @declared_attr.directive method, split cls.__name__ before each capital that is not "
    "the first letter (re.sub(r'(?<!^)(?=[A-Z])', '_', name)), lower() it and add 's'."
)
@pytest.mark.parametrize(
    "class_name, table",
    [
        ("ProductReview", "product_reviews"),
        ("Tag", "tags"),
        ("WarehouseShelfLabel", "warehouse_shelf_labels"),
    ],
)
def test_tablename_is_snake_case_plural(learner, class_name, table, engine_for):
    base, mixin = need(learner, "Base"), need(learner, "TablenameMixin")
    namespace = {"id": mapped_column(Integer, primary_key=True)}
    cls = define(
        f"{class_name}(TablenameMixin, Base)", lambda: type(class_name, (mixin, base), namespace)
    )
    engine = engine_for(cls)
    names = inspect(engine).get_table_names()
    assert names == [table], f"a class named {class_name} got the table {names}, not [{table!r}]"


# ------------------------------------------------------------- Task 4: the models and reuse


@pytest.mark.task(4)
@pytest.mark.parametrize("model", ["BlogPost", "Comment"])
def test_model_inherits_the_three_mixins(learner, model):
    cls = mapped(learner, model)
    for mixin in ("TablenameMixin", "TimestampMixin", "SoftDeleteMixin"):
        assert issubclass(cls, need(learner, mixin)), (
            f"{model} does not inherit {mixin}: list the mixins before Base in its bases"
        )


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "BlogPost declares id and title (String(200)); Comment declares id, "
    'post_id = mapped_column(ForeignKey("blog_posts.id")) and body (Text).'
)
def test_blog_post_and_comment_own_columns(learner, engine_for):
    BlogPost, Comment = mapped(learner, "BlogPost"), mapped(learner, "Comment")
    db = inspect(engine_for(BlogPost, Comment))
    tables = sorted(db.get_table_names())
    assert tables == ["blog_posts", "comments"], f"BlogPost and Comment created the tables {tables}"
    posts = {c["name"]: c["type"] for c in db.get_columns("blog_posts")}
    title = posts.get("title")
    assert isinstance(title, String) and title.length == 200, (
        f"blog_posts.title is {title}, not VARCHAR(200)"
    )
    body = {c["name"]: c["type"] for c in db.get_columns("comments")}.get("body")
    assert isinstance(body, Text), f"comments.body is {body}, not TEXT"
    keys = [
        (fk["constrained_columns"], fk["referred_table"], fk["referred_columns"])
        for fk in db.get_foreign_keys("comments")
    ]
    assert keys == [(["post_id"], "blog_posts", ["id"])], (
        f"the foreign keys of comments are {keys}: post_id should reference blog_posts.id"
    )


@pytest.mark.task(4)
@pytest.mark.points(3)
def test_blog_post_and_comment_tables_and_behaviour(learner, fake_clock, engine_for):
    BlogPost, Comment = mapped(learner, "BlogPost"), mapped(learner, "Comment")
    engine = engine_for(BlogPost, Comment)
    db = inspect(engine)
    assert sorted(db.get_table_names()) == ["blog_posts", "comments"], (
        f"BlogPost and Comment created the tables {sorted(db.get_table_names())}"
    )
    for table in ("blog_posts", "comments"):
        found = {c["name"] for c in db.get_columns(table)}
        missing = EVERY_MIXIN_COLUMN - found
        assert not missing, f"the {table} table has no {sorted(missing)} column"

    with Session(engine) as session:
        post = BlogPost(title="Mixins")
        session.add(post)
        session.flush()
        session.add(Comment(post_id=post.id, body="Nice"))
        session.commit()
    move(fake_clock, T2)
    with Session(engine) as session:
        session.scalars(select(BlogPost)).one().title = "Mixins, revised"
        session.scalars(select(Comment)).one().soft_delete()
        session.commit()
    with Session(engine) as session:
        post = session.scalars(select(BlogPost)).one()
        comment = session.scalars(select(Comment)).one()
        assert_time(post.created_at, T1, "BlogPost.created_at after an edit")
        assert_time(post.updated_at, T2, "BlogPost.updated_at after an edit")
        assert post.is_deleted is False, "editing a BlogPost marked it deleted"
        assert comment.is_deleted is True, "Comment.soft_delete() did not mark the comment"
        assert_time(comment.deleted_at, T2, "Comment.deleted_at after soft_delete()")
        assert_time(comment.created_at, T1, "Comment.created_at")


@pytest.mark.task(4)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Everything shared lives in the mixins: a new model that lists the three mixins and "
    "declares only its own columns gets its table name, created_at, updated_at, deleted_at, "
    "soft_delete() and is_deleted without writing any of them again."
)
def test_a_new_model_gets_everything_from_the_mixins(
    models, UserProfileImage, fake_clock, engine_for
):
    try:
        table = UserProfileImage.__table__.name
    except AttributeError:
        raise AssertionError("the model UserProfileImage got no table") from None
    assert table == "user_profile_images", (
        f"UserProfileImage(TablenameMixin, ...) got the table {table!r}"
    )
    missing = EVERY_MIXIN_COLUMN - columns_of(UserProfileImage)
    assert not missing, (
        f"UserProfileImage(TablenameMixin, TimestampMixin, SoftDeleteMixin, Base) has no "
        f"{sorted(missing)} column: the mixins must declare them, not each model"
    )
    blog_post = getattr(models, "BlogPost", None)
    if blog_post is not None and hasattr(blog_post, "__table__"):
        ours = UserProfileImage.__table__.c.created_at
        assert ours is not blog_post.__table__.c.get("created_at"), (
            "UserProfileImage shares BlogPost's created_at Column object"
        )

    engine = engine_for(UserProfileImage)
    try:
        with Session(engine) as session:
            session.add(UserProfileImage(url="https://img.example/1.png"))
            session.commit()
        move(fake_clock, T3)
        with Session(engine) as session:
            session.scalars(select(UserProfileImage)).one().soft_delete()
            session.commit()
        with Session(engine) as session:
            image = session.scalars(select(UserProfileImage)).one()
            values = image.created_at, image.updated_at, image.deleted_at, image.is_deleted
    except (SQLAlchemyError, AttributeError, TypeError) as exc:
        raise AssertionError(
            f"saving and soft-deleting a UserProfileImage failed: {type(exc).__name__}: {exc}"
        ) from None
    created, updated, deleted, is_deleted = values
    assert_time(created, T1, "UserProfileImage.created_at")
    assert_time(updated, T3, "UserProfileImage.updated_at after soft_delete()")
    assert_time(deleted, T3, "UserProfileImage.deleted_at after soft_delete()")
    assert is_deleted is True, f"a soft-deleted UserProfileImage has is_deleted == {is_deleted!r}"
