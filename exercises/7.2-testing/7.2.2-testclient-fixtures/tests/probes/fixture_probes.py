"""Probe tests the grader runs with the learner's conftest.py (copied in as test_probes.py).

Each assertion message is shown to the learner: it says what the fixtures did."""

import main
from sqlalchemy import select

SEEN = {"client": [], "db_session": [], "engine": []}


def names(db_session):
    return [item.name for item in db_session.scalars(select(main.Item).order_by(main.Item.id))]


def test_1_a_row_committed_by_the_endpoint(client, db_session):
    SEEN["client"].append(client)
    SEEN["db_session"].append(db_session)
    response = client.post("/items", json={"name": "first"})
    assert response.status_code == 201, (
        f"POST /items through `client` answered {response.status_code}: {response.text[:150]}"
    )
    found = names(db_session)
    assert found == ["first"], (
        f"after POST /items through `client`, db_session read the items {found}"
    )


def test_2_the_next_test_starts_empty(client, db_session):
    listed = client.get("/items").json()
    assert listed == [], f"the next test's GET /items still listed {listed}"
    found = names(db_session)
    assert found == [], f"the next test's db_session still read the items {found}"


def test_3_each_test_gets_new_fixtures(client, db_session):
    assert not any(client is seen for seen in SEEN["client"]), (
        "two tests received the same `client` object"
    )
    assert not any(db_session is seen for seen in SEEN["db_session"]), (
        "two tests received the same `db_session` object"
    )


def test_4_rows_the_test_commits_are_what_the_app_reads(client, db_session):
    db_session.add(main.Item(name="direct"))
    db_session.commit()
    listed = [item["name"] for item in client.get("/items").json()]
    # Rows left by an earlier test are the isolation test's business, not this one's.
    assert "direct" in listed and listed == names(db_session), (
        f"after db_session committed an item, GET /items through `client` listed {listed}"
    )


def test_5_the_lifespan_ran(client):
    started = getattr(main.app.state, "started", None)
    assert started is True, (
        f"inside a test using `client`, app.state.started was {started!r}: the app's "
        "lifespan never ran"
    )


def test_6_the_override_is_in_place(client):
    assert main.get_db in main.app.dependency_overrides, (
        "inside a test using `client`, get_db was not overridden"
    )


KEPT = []  # (the db_session of test_7, the Item it committed)


def test_7_db_session_commits_an_item(db_session):
    item = main.Item(name="kept")
    db_session.add(item)
    db_session.commit()
    KEPT.append((db_session, item))


def test_8_the_previous_db_session_was_closed():
    assert KEPT, "a test could not add and commit an Item through db_session"
    session, item = KEPT[-1]
    assert item not in session, (
        "after a test had ended, its db_session still held the Item the test had committed: "
        "the session was never closed"
    )
