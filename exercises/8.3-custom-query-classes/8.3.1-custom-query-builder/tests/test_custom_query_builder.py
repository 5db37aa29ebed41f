import pytest
from sqlalchemy import Select, text
from sqlalchemy.orm import Session

# (title, author, year, published); ids are 1..11 in this order
BOOKS = [
    ("The Left Hand of Darkness", "Le Guin", 1969, True),  # 1
    ("A Wizard of Earthsea", "Le Guin", 1968, True),  # 2
    ("The Dispossessed", "Le Guin", 1974, False),  # 3
    ("The Sea and Summer", "Turner", 1987, True),  # 4
    ("Sea of Rust", "Cargill", 2017, True),  # 5
    ("100% Sea", "Cargill", 2017, True),  # 6: same year as 5
    ("100 Seas", "Cargill", 2019, False),  # 7
    ("The Sea_Wolf", "London", 1904, True),  # 8
    ("The Sea-Wolf", "London", 1903, True),  # 9
    ("Earthsea Revisioned", "Le Guin", 1993, False),  # 10
    ("Lower Case", "le guin", 2000, True),  # 11: not "Le Guin"
]
ALL = set(range(1, 12))
PUBLISHED = {1, 2, 4, 5, 6, 8, 9, 11}
SEA = {2, 4, 5, 6, 7, 8, 9, 10}

CHAINS = {
    "BookQuery()": (lambda Q: Q(), ALL),
    "BookQuery().published()": (lambda Q: Q().published(), PUBLISHED),
    'BookQuery().by_author("Cargill").search("sea")': (
        lambda Q: Q().by_author("Cargill").search("sea"),
        {5, 6, 7},
    ),
    'BookQuery().published().search("earthsea").newest_first()': (
        lambda Q: Q().published().search("earthsea").newest_first(),
        {2},
    ),
}


@pytest.fixture
def bq(learner):
    return learner.require("book_query", "Base", "Book", "BookQuery")


@pytest.fixture
def session(bq, db_engine):
    engine = db_engine(bq.Base.metadata)
    with Session(engine) as session:
        session.add_all(
            bq.Book(id=i, title=t, author=a, year=y, published=p)
            for i, (t, a, y, p) in enumerate(BOOKS, start=1)
        )
        session.commit()
        yield session


def ids(books):
    return [book.id for book in books]


# --- Task 1: chained, immutable filters ------------------------------------------------------


@pytest.mark.task(1)
def test_published_keeps_only_published_books(bq, session):
    got = set(ids(bq.BookQuery().published().all(session)))
    assert got == PUBLISHED, f"published() found books {sorted(got)}, expected {sorted(PUBLISHED)}"


@pytest.mark.task(1)
def test_by_author_matches_the_name_exactly(bq, session):
    got = set(ids(bq.BookQuery().by_author("Le Guin").all(session)))
    assert got == {1, 2, 3, 10}, (
        f'by_author("Le Guin") found books {sorted(got)}, expected [1, 2, 3, 10] (book 11 is '
        f'by "le guin", another name)'
    )


@pytest.mark.task(1)
def test_search_ignores_case(bq, session):
    got = set(ids(bq.BookQuery().search("SEA").all(session)))
    assert got == SEA, f'search("SEA") found books {sorted(got)}, expected {sorted(SEA)}'


@pytest.mark.task(1)
def test_search_ignores_case_where_like_is_case_sensitive(bq, session):
    # SQLite's LIKE ignores ASCII case by default; PostgreSQL's does not. Make SQLite's LIKE
    # case-sensitive so that only an ilike (or a lower() on both sides) still ignores case.
    session.execute(text("PRAGMA case_sensitive_like = ON"))
    try:
        got = set(ids(bq.BookQuery().search("SEA").all(session)))
        count = bq.BookQuery().search("SEA").count(session)
    finally:
        session.execute(text("PRAGMA case_sensitive_like = OFF"))
    assert got == SEA and count == len(SEA), (
        f'with SQLite\'s LIKE made case-sensitive (as on PostgreSQL), search("SEA") found books '
        f"{sorted(got)} (count() said {count}), expected {sorted(SEA)}: a plain LIKE or "
        f"contains() respects case; the search must ignore it (an ilike)"
    )


@pytest.mark.task(1)
@pytest.mark.parametrize(("term", "expected"), [("100%", [6]), ("sea_", [8])])
def test_search_wildcards_match_themselves(bq, session, term, expected):
    got = sorted(ids(bq.BookQuery().search(term).all(session)))
    assert got == expected, (
        f"search({term!r}) found books {got}, expected {expected}: a % or _ in the term must "
        f"match that character, not any text"
    )


@pytest.mark.task(1)
def test_empty_search_filters_nothing(bq, session):
    got = set(ids(bq.BookQuery().search("").all(session)))
    assert got == ALL, f'search("") found books {sorted(got)}, expected all 11'
    got = set(ids(bq.BookQuery().published().search("").all(session)))
    assert got == PUBLISHED, f'published().search("") found {sorted(got)}, expected {PUBLISHED}'


@pytest.mark.task(1)
def test_filters_combine_in_any_order(bq, session):
    Q = bq.BookQuery
    one = sorted(ids(Q().published().by_author("Le Guin").search("earthsea").all(session)))
    two = sorted(ids(Q().search("earthsea").by_author("Le Guin").published().all(session)))
    assert one == [2], f'published().by_author("Le Guin").search("earthsea") found {one}'
    assert two == [2], f'search("earthsea").by_author("Le Guin").published() found {two}'


@pytest.mark.task(1)
def test_newest_first_with_ties_by_highest_id(bq, session):
    got = ids(bq.BookQuery().published().newest_first().all(session))
    expected = [6, 5, 11, 4, 1, 2, 8, 9]
    assert got == expected, (
        f"published().newest_first() gave books in the order {got}, expected {expected} "
        f"(books 5 and 6 are both from 2017: the higher id first)"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_chaining_leaves_the_original_query_unchanged(bq, session):
    base = bq.BookQuery()
    base.published()
    base.search("sea")
    base.by_author("Turner")
    got = set(ids(base.all(session)))
    count = base.count(session)
    assert got == ALL and count == len(ALL), (
        f"after calling published(), search() and by_author() on a query, the query itself "
        f"found books {sorted(got)} and its count() said {count}, expected all 11: each method "
        f"must return a new query and leave the one it was called on as it was, for all() and "
        f"count() alike"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_a_shared_base_refined_two_ways(bq, session):
    cargill = bq.BookQuery().by_author("Cargill")
    published = cargill.published()
    seas = cargill.search("seas")  # book 7, not published
    queries = {"q": cargill, "q.published()": published, 'q.search("seas")': seas}
    got = {
        name: (
            sorted(ids(q.all(session))),
            q.count(session),
            sorted(ids(session.scalars(q.statement))),
        )
        for name, q in queries.items()
    }
    expected = {"q": [5, 6, 7], "q.published()": [5, 6], 'q.search("seas")': [7]}
    expected = {name: (books, len(books), books) for name, books in expected.items()}
    assert got == expected, (
        f'q = by_author("Cargill") refined twice, as q.published() and then q.search("seas"), '
        f"gave (all, count, statement) {got}, expected {expected}: one refinement must not leak "
        f"into the other, nor into q"
    )


# --- Task 2: the statement, all and count ----------------------------------------------------


@pytest.mark.task(2)
def test_statement_is_a_select_that_runs_with_scalars(bq, session):
    q = bq.BookQuery().published().newest_first()
    assert isinstance(q.statement, Select), f".statement is a {type(q.statement).__name__}"
    got = ids(session.scalars(q.statement))
    assert got == [6, 5, 11, 4, 1, 2, 8, 9], (
        f"session.scalars(q.statement) for published().newest_first() gave {got}"
    )
    got = ids(session.scalars(q.statement.limit(2)))
    assert got == [6, 5], f"session.scalars(q.statement.limit(2)) gave {got}, expected [6, 5]"


@pytest.mark.task(2)
def test_all_returns_a_list_of_books(bq, session):
    got = bq.BookQuery().by_author("London").all(session)
    assert isinstance(got, list), f"all(session) returned a {type(got).__name__}, not a list"
    kinds = {type(book).__name__ for book in got}
    assert kinds == {"Book"}, f"all(session) held {kinds}, expected Book objects"
    assert sorted(ids(got)) == [8, 9], f'by_author("London").all() gave {sorted(ids(got))}'


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "chain",
    [
        "BookQuery()",
        "BookQuery().published()",
        'BookQuery().by_author("Cargill").search("sea")',
        'BookQuery().published().search("earthsea").newest_first()',
    ],
)
def test_count_matches_the_filters(bq, session, chain):
    build, expected = CHAINS[chain]
    got = build(bq.BookQuery).count(session)
    assert got == len(expected) and type(got) is int, (
        f"{chain}.count(session) returned {got!r}, expected {len(expected)}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_count_is_one_count_statement(bq, session, sql_counter):
    q = bq.BookQuery().published().newest_first()
    with sql_counter(session.get_bind()) as counted:
        got = q.count(session)
    assert got == len(PUBLISHED), f"published().newest_first().count() returned {got}"
    statements = [" ".join(s.split()) for s in counted.statements]
    assert len(statements) == 1 and "count(" in statements[0].lower(), (
        f"count() ran {statements}: expected one SELECT count(...) computed by the database"
    )
