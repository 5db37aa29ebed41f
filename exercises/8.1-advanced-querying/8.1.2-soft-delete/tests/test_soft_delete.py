import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, aliased


@pytest.fixture
def sd(learner):
    return learner.require("softdelete", "Base", "Author", "Post", "soft_delete", "restore")


@pytest.fixture
def blog(sd, db_engine):
    """Ada with posts Hello and World, Bob with Draft; returns (engine, ids by name)."""
    engine = db_engine(sd.Base.metadata)
    with Session(engine) as session:
        ada = sd.Author(name="Ada", posts=[sd.Post(title="Hello"), sd.Post(title="World")])
        bob = sd.Author(name="Bob", posts=[sd.Post(title="Draft")])
        session.add_all([ada, bob])
        session.commit()
        ids = {"Ada": ada.id, "Bob": bob.id}
        ids.update({p.title: p.id for p in ada.posts + bob.posts})
    return engine, ids


def delete(sd, engine, model, ident):
    with Session(engine) as session:
        obj = session.get(getattr(sd, model), ident)
        sd.soft_delete(session, obj)


def titles(session, stmt):
    return sorted(session.scalars(stmt))


# --- Task 1: soft_delete and restore ---------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_the_row_stays_in_the_table_with_a_stamp(sd, blog):
    engine, ids = blog
    delete(sd, engine, "Post", ids["Hello"])
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT title, deleted_at FROM posts ORDER BY id")).all()
    assert [row[0] for row in rows] == ["Hello", "World", "Draft"], (
        f"after soft_delete the posts table holds {[row[0] for row in rows]}: the row was removed"
    )
    assert rows[0][1] is not None, "after soft_delete (committed) Hello's deleted_at is NULL"
    assert rows[1][1] is None and rows[2][1] is None, "posts never deleted have a deleted_at"


@pytest.mark.task(1)
def test_restore_brings_the_row_back(sd, blog):
    engine, ids = blog
    delete(sd, engine, "Post", ids["Hello"])
    with Session(engine) as session:
        post = session.scalars(
            select(sd.Post)
            .where(sd.Post.id == ids["Hello"])
            .execution_options(include_deleted=True)
        ).one()
        sd.restore(post)
        session.commit()
    with Session(engine) as session:
        got = titles(session, select(sd.Post.title))
        assert got == ["Draft", "Hello", "World"], f"after restore + commit the posts are {got}"
        assert session.get(sd.Post, ids["Hello"]).deleted_at is None, "deleted_at still set"


@pytest.mark.task(1)
def test_deleted_restored_and_deleted_again(sd, blog):
    engine, ids = blog
    delete(sd, engine, "Post", ids["World"])
    with Session(engine) as session:
        post = session.get(sd.Post, ids["World"], execution_options={"include_deleted": True})
        assert post is not None, (
            'session.get(Post, id, execution_options={"include_deleted": True}) of a deleted '
            "post gave None, so there was nothing to restore"
        )
        sd.restore(post)
        session.commit()
    delete(sd, engine, "Post", ids["World"])
    with Session(engine) as session:
        got = titles(session, select(sd.Post.title))
    assert got == ["Draft", "Hello"], f"after delete, restore and delete again: {got}"


# --- Task 2: hidden from every read path ---------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_a_select_hides_deleted_rows(sd, blog):
    engine, ids = blog
    delete(sd, engine, "Post", ids["Hello"])
    with Session(engine) as session:
        got = titles(session, select(sd.Post.title))
        objs = sorted(p.title for p in session.scalars(select(sd.Post)))
    assert got == ["Draft", "World"], f"select(Post.title) after deleting Hello gave {got}"
    assert objs == ["Draft", "World"], f"select(Post) after deleting Hello gave {objs}"


@pytest.mark.task(2)
def test_get_by_id_hides_a_deleted_row(sd, blog):
    engine, ids = blog
    delete(sd, engine, "Post", ids["Hello"])
    with Session(engine) as session:
        got = session.get(sd.Post, ids["Hello"])
    assert got is None, f"session.get(Post, id) of a deleted post gave {got!r}"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_a_relationship_load_hides_deleted_rows(sd, blog):
    engine, ids = blog
    delete(sd, engine, "Post", ids["Hello"])
    with Session(engine) as session:
        ada = session.get(sd.Author, ids["Ada"])
        got = sorted(p.title for p in ada.posts)
    assert got == ["World"], f"author.posts after deleting Hello gave {got}"


@pytest.mark.task(2)
def test_a_join_hides_deleted_rows(sd, blog):
    engine, ids = blog
    delete(sd, engine, "Post", ids["Draft"])
    with Session(engine) as session:
        got = sorted(session.scalars(select(sd.Author.name).join(sd.Author.posts)).unique())
    assert got == ["Ada"], f"authors joined to their posts after deleting Bob's only post: {got}"


@pytest.mark.task(2)
def test_an_alias_hides_deleted_rows(sd, blog):
    engine, ids = blog
    delete(sd, engine, "Post", ids["Hello"])
    other = aliased(sd.Post)
    with Session(engine) as session:
        got = titles(session, select(other.title))
    assert got == ["Draft", "World"], f"select(aliased(Post).title) after deleting Hello: {got}"


@pytest.mark.task(2)
def test_an_aggregate_hides_deleted_rows(sd, blog):
    engine, ids = blog
    delete(sd, engine, "Post", ids["Hello"])
    with Session(engine) as session:
        count = session.scalar(select(func.count(sd.Post.id)))
    assert count == 2, f"select(func.count(Post.id)) after deleting 1 of 3 posts gave {count}"


@pytest.mark.task(2)
def test_a_deleted_author_is_hidden_too(sd, blog):
    engine, ids = blog
    delete(sd, engine, "Author", ids["Bob"])
    with Session(engine) as session:
        got = sorted(session.scalars(select(sd.Author.name)))
    assert got == ["Ada"], f"select(Author.name) after deleting Bob gave {got}"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_include_deleted_shows_them(sd, blog):
    engine, ids = blog
    delete(sd, engine, "Post", ids["Hello"])
    with Session(engine) as session:
        stmt = select(sd.Post.title).execution_options(include_deleted=True)
        got = titles(session, stmt)
        ada = session.scalars(
            select(sd.Author).where(sd.Author.name == "Ada").execution_options(include_deleted=True)
        ).one()
        assert ada is not None
    assert got == ["Draft", "Hello", "World"], f"select with include_deleted=True gave {got}"


@pytest.mark.task(2)
def test_get_with_include_deleted_finds_a_deleted_row(sd, blog):
    engine, ids = blog
    delete(sd, engine, "Post", ids["Hello"])
    with Session(engine) as session:
        post = session.get(sd.Post, ids["Hello"], execution_options={"include_deleted": True})
        got = getattr(post, "title", post)
    assert got == "Hello", (
        f'session.get(Post, id, execution_options={{"include_deleted": True}}) of the deleted '
        f"post Hello gave {got!r}: the option is passed to the call, not set on a statement, "
        f"so read it from the execution's options (state.execution_options), which hold both"
    )


@pytest.mark.task(2)
def test_recreated_row_is_the_one_shown(sd, blog):
    engine, ids = blog
    delete(sd, engine, "Post", ids["Hello"])
    with Session(engine) as session:
        session.add(sd.Post(title="Hello", author_id=ids["Ada"]))
        session.commit()
    with Session(engine) as session:
        visible = session.scalars(select(sd.Post).where(sd.Post.title == "Hello")).all()
        assert [p.id for p in visible] != [ids["Hello"]] and len(visible) == 1, (
            f"after deleting Hello and creating a new Hello, {len(visible)} Hello rows are shown"
        )
