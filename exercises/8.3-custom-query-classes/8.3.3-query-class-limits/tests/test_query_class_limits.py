import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload, sessionmaker

# (id, title, deleted, author_id)
POSTS = [
    (1, "hello", False, 1),
    (2, "oops", True, 1),
    (3, "again", False, 1),
    (4, "gone", True, 2),
    (5, "still here", False, 2),
]
EVERY = [1, 2, 3, 4, 5]
ALIVE = [1, 3, 5]


@pytest.fixture
def limits(learner):
    return learner.require(
        "limits", "Base", "Author", "Post", "AliveQuery", "make_legacy_session",
        "install_alive_filter",
    )  # fmt: skip


@pytest.fixture
def engine(limits, db_engine):
    engine = db_engine(limits.Base.metadata)
    with Session(engine) as session:
        session.add_all([limits.Author(id=1, name="Ann"), limits.Author(id=2, name="Bob")])
        session.flush()
        session.add_all(limits.Post(id=i, title=t, deleted=d, author_id=a) for i, t, d, a in POSTS)
        session.commit()
    return engine


@pytest.fixture
def filtered(limits, engine):
    factory = sessionmaker(bind=engine)
    limits.install_alive_filter(factory)
    return factory


def ids(objects):
    return sorted(obj.id for obj in objects)


# --- Task 1: the legacy way ------------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_legacy_alive_filters_and_chains(limits, engine):
    Post = limits.Post
    with limits.make_legacy_session(engine) as session:
        query = session.query(Post)
        assert isinstance(query, limits.AliveQuery), (
            f"session.query(Post) in make_legacy_session(engine) is a {type(query).__name__}, "
            f"not an AliveQuery"
        )
        got = ids(session.query(Post).alive().all())
        assert got == ALIVE, f"session.query(Post).alive() found posts {got}, expected {ALIVE}"
        chained = session.query(Post).filter(Post.author_id == 1).alive().order_by(Post.id)
        got = [post.id for post in chained]
        assert got == [1, 3], (
            f"query(Post).filter(author 1).alive().order_by(id) found posts {got}, expected [1, 3]"
        )


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_legacy_session_does_not_filter_anything_else(limits, engine):
    Post, Author = limits.Post, limits.Author
    with limits.make_legacy_session(engine) as session:
        got = {
            "session.query(Post).all()": ids(session.query(Post).all()),
            "session.scalars(select(Post))": ids(session.scalars(select(Post))),
            "author 1's posts": ids(session.get(Author, 1).posts),
        }
    expected = {
        "session.query(Post).all()": EVERY,
        "session.scalars(select(Post))": EVERY,
        "author 1's posts": [1, 2, 3],
    }
    assert got == expected, (
        f"in the legacy session, {got}; expected {expected}: query_cls only adds .alive() to "
        f"session.query(), nothing is filtered unless .alive() is called"
    )


# --- Task 2: the 2.x way ---------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_filter_covers_select_query_and_get(limits, filtered):
    Post = limits.Post
    with filtered() as session:
        got = ids(session.scalars(select(Post)))
        assert got == ALIVE, f"session.scalars(select(Post)) found posts {got}, expected {ALIVE}"
    with filtered() as session:
        got = ids(session.query(Post).all())
        assert got == ALIVE, f"session.query(Post).all() found posts {got}, expected {ALIVE}"
    with filtered() as session:
        got = session.get(Post, 2)
        assert got is None, "session.get(Post, 2) returned deleted post 2, expected None"
    with filtered() as session:
        got = ids(session.scalars(select(limits.Author)))
        assert got == [1, 2], f"select(Author) found authors {got}, expected [1, 2]"


@pytest.mark.task(2)
def test_filter_covers_an_aliased_post(limits, filtered):
    with filtered() as session:
        got = ids(session.scalars(select(aliased(limits.Post))))
    assert got == ALIVE, (
        f"session.scalars(select(aliased(Post))) found posts {got}, expected {ALIVE}: an alias "
        f"of Post is filtered too"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("loading", ["lazy", "selectinload", "joinedload"])
def test_filter_covers_author_posts(limits, filtered, loading):
    Author = limits.Author
    stmt = select(Author).where(Author.id == 1)
    if loading == "selectinload":
        stmt = stmt.options(selectinload(Author.posts))
    elif loading == "joinedload":
        stmt = stmt.options(joinedload(Author.posts))
    with filtered() as session:
        author = session.scalars(stmt).unique().one()
        got = ids(author.posts)
    assert got == [1, 3], f"author 1's posts ({loading}) are {got}, expected [1, 3]"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_filter_covers_posts_of_an_author_added_in_the_session(limits, filtered):
    Author, Post = limits.Author, limits.Post
    with filtered() as session:
        author = Author(id=3, name="Cy")
        author.posts = [Post(id=6, title="new", deleted=False)]
        author.posts.append(Post(id=7, title="binned", deleted=True))
        session.add(author)
        session.commit()
        got = ids(author.posts)
    assert got == [6], (
        f"after session.add(author) with posts 6 (alive) and 7 (deleted) and session.commit(), "
        f"author.posts (a lazy load) gave {got}, expected [6]: the lazy load of an author that "
        f"no query loaded must be filtered too"
    )


@pytest.mark.task(2)
def test_include_deleted_option_sees_every_post(limits, filtered):
    with filtered() as session:
        stmt = select(limits.Post).execution_options(include_deleted=True)
        got = ids(session.scalars(stmt))
    assert got == EVERY, f"select(Post) with include_deleted=True found {got}, expected {EVERY}"
    with filtered() as session:
        got = ids(session.scalars(select(limits.Post)))
    assert got == ALIVE, f"the next select(Post) without the option found {got}"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_other_sessions_are_not_affected(limits, engine, filtered):
    Post = limits.Post
    with Session(engine) as session:
        plain = ids(session.scalars(select(Post)))
    with sessionmaker(bind=engine)() as session:
        other = ids(session.scalars(select(Post)))
    assert (plain, other) == (EVERY, EVERY), (
        f"after install_alive_filter(factory), a plain Session(engine) found posts {plain} and "
        f"another sessionmaker's session {other}, expected every post {EVERY}"
    )
