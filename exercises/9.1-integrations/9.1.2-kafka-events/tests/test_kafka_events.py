import json
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.conn import collect_hosts
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    NotLeaderForPartitionError,
)
from kafka_fakes import CommitWatch, FakeProducer
from sqlalchemy import select

from grader.testing import client_for, overridden_db

ADA = {"customer": "ada", "amount_cents": 1250}
EVENT_KEYS = {"event_id", "type", "occurred_at", "payload"}


@pytest.fixture
def main(learner):
    return learner.require("main", "app", "get_db", "Base", "Order", "get_producer")


@pytest.fixture
def events(learner):
    return learner.require("events", "OrderStats", "handle_order_event")


@pytest.fixture
def producer():
    return FakeProducer()


@pytest.fixture
def db(main, db_client, overrides, producer):
    """The app on a private database, with get_producer handing out the fake producer."""
    overrides(main.app, {main.get_producer: lambda: producer})
    return db_client(main)


def stored_orders(main, db):
    return [(o.id, o.customer, o.amount_cents) for o in db.scalars(select(main.Order))]


def created(db, payload=ADA):
    response = db.client.post("/orders", json=payload)
    assert response.status_code == 201, (
        f"POST /orders {payload} answered {response.status_code}: {response.text[:200]}"
    )
    return response.json()


def event(event_id="e-1", amount=1250, order_id=1, customer="ada", **changes):
    body = {
        "event_id": event_id,
        "type": "order.created",
        "occurred_at": "2026-05-01T12:00:00+00:00",
        "payload": {"order_id": order_id, "customer": customer, "amount_cents": amount},
    }
    body.update(changes)
    return body


def raw(body) -> bytes:
    return json.dumps(body).encode()


def snapshot(store):
    return (set(store.processed), store.order_count, store.revenue_cents)


class KafkaRecorder:
    """Replaces AIOKafkaProducer's network methods: records the instances instead."""

    def __init__(self, patch):
        self.started: list = []
        self.stopped: list = []
        self.sent: list = []
        recorder = self

        async def start(self):
            recorder.started.append(self)

        async def stop(self):
            recorder.stopped.append(self)

        async def send_and_wait(self, topic, value=None, key=None, **options):
            recorder.sent.append((self, topic, value, key))

        patch.setattr(AIOKafkaProducer, "start", start)
        patch.setattr(AIOKafkaProducer, "stop", stop)
        patch.setattr(AIOKafkaProducer, "send_and_wait", send_and_wait)


# --- Task 1: the lifespan and get_producer --------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    'In the lifespan, read `os.environ.get("KAFKA_BOOTSTRAP")` at startup; when it is set, '
    "create the AIOKafkaProducer with it, `await producer.start()`, keep it on app.state, and "
    "`await producer.stop()` after the yield."
)
def test_bootstrap_set_starts_stops_and_hands_out_the_producer(
    main, db_engine, monkeypatch, overrides
):
    recorder = KafkaRecorder(monkeypatch)
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "kafka.test:9092")  # set after main.py was imported
    engine = db_engine(main.Base.metadata)
    with overridden_db(main.app, main.get_db, engine), client_for(main.app) as client:
        assert len(recorder.started) == 1, (
            f"with KAFKA_BOOTSTRAP set, startup started {len(recorder.started)} AIOKafkaProducers"
        )
        started = recorder.started[0]
        hosts = [(h, p) for h, p, _ in collect_hosts(started.client._bootstrap_servers, False)]
        assert hosts == [("kafka.test", 9092)], (
            f"with KAFKA_BOOTSTRAP=kafka.test:9092 the producer was given {hosts}"
        )
        assert not recorder.stopped, "the producer was stopped before shutdown"
        response = client.post("/orders", json=ADA)
        assert response.status_code == 201, (
            f"POST /orders with the lifespan's producer answered {response.status_code}: "
            f"{response.text[:200]}"
        )
        users = [p for p, *_ in recorder.sent]
        assert users == [started], (
            "POST /orders did not publish through the producer the lifespan started"
        )
    assert recorder.stopped == [started], (
        f"at shutdown, {len(recorder.stopped)} producers were stopped, not the one started"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Without KAFKA_BOOTSTRAP, create no producer: leave `app.state.producer = None` and let "
    "`get_producer` raise `HTTPException(503)` when it finds None."
)
def test_without_bootstrap_nothing_connects_and_orders_are_503(main, db_client, monkeypatch):
    recorder = KafkaRecorder(monkeypatch)
    monkeypatch.delenv("KAFKA_BOOTSTRAP", raising=False)
    db = db_client(main, lifespan=True)
    assert not recorder.started, "without KAFKA_BOOTSTRAP, startup still started a producer"
    response = db.client.post("/orders", json=ADA)
    assert response.status_code == 503, (
        f"without a producer, POST /orders answered {response.status_code}: {response.text[:200]}"
    )
    assert not recorder.sent and stored_orders(main, db) == [], (
        "without a producer, POST /orders still stored or published the order"
    )


# --- Task 2: POST /orders --------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_post_stores_the_order_and_publishes_one_event(main, db, producer):
    body = created(db)
    assert isinstance(body, dict) and isinstance(body.get("id"), int), (
        f"POST /orders answered {body!r}"
    )
    assert body == {"id": body["id"], **ADA}, f"POST /orders {ADA} answered {body!r}"
    assert stored_orders(main, db) == [(body["id"], "ada", 1250)], (
        f"after POST /orders the table holds {stored_orders(main, db)}"
    )
    assert len(producer.sent) == 1, f"POST /orders sent {len(producer.sent)} messages"
    message = producer.sent[0]
    assert message.topic == "orders.created", f"the event went to the topic {message.topic!r}"
    assert message.key == str(body["id"]).encode(), (
        f"order {body['id']}'s event has the key {message.key!r}, not {str(body['id']).encode()!r}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`value=json.dumps(event).encode()` with exactly event_id, type, occurred_at and payload; "
    "`datetime.now(UTC).isoformat()` gives the offset."
)
def test_event_value_is_json_bytes_with_the_schema(db, producer):
    body = created(db)
    value = producer.sent[0].value if producer.sent else None
    assert isinstance(value, bytes), f"the event value is {type(value).__name__}, not bytes"
    try:
        sent = json.loads(value.decode("utf-8"))
    except ValueError as exc:
        pytest.fail(f"the event value is not UTF-8 JSON ({exc}): {value[:200]!r}")
    assert isinstance(sent, dict) and set(sent) == EVENT_KEYS, (
        f"the event is {sent!r}, not an object with exactly {sorted(EVENT_KEYS)}"
    )
    assert sent["type"] == "order.created", f"the event's type is {sent['type']!r}"
    assert isinstance(sent["event_id"], str) and sent["event_id"], (
        f"the event_id is {sent['event_id']!r}"
    )
    assert sent["payload"] == {"order_id": body["id"], **ADA}, (
        f"order {body['id']}'s event has the payload {sent['payload']!r}"
    )
    try:
        when = datetime.fromisoformat(sent["occurred_at"])
    except (TypeError, ValueError):
        pytest.fail(f"occurred_at is {sent['occurred_at']!r}, not ISO 8601")
    assert when.utcoffset() == timedelta(0), (
        f"occurred_at is {sent['occurred_at']!r}: no UTC offset"
    )
    assert abs(datetime.now(UTC) - when) < timedelta(hours=1), (
        f"occurred_at is {sent['occurred_at']!r}, not the time of the request"
    )


@pytest.mark.task(2)
@pytest.mark.hint("Make a new id for every event: `str(uuid.uuid4())` inside the request.")
def test_every_event_gets_its_own_event_id(db, producer):
    first, second = created(db), created(db, {"customer": "bo", "amount_cents": 99})
    ids = [json.loads(m.value)["event_id"] for m in producer.sent]
    keys = [m.key for m in producer.sent]
    assert len(set(ids)) == 2, f"two orders' events have the event ids {ids}"
    assert keys == [str(first["id"]).encode(), str(second["id"]).encode()], (
        f"orders {first['id']} and {second['id']} were published with the keys {keys}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Send before you commit: add the order, `db.flush()` for its id, `await "
    "producer.send_and_wait(...)`, and only then `db.commit()`. Committing first and deleting "
    "the order when the send fails still shows an order without its event in between."
)
def test_the_order_is_committed_only_after_kafka_acknowledged(main, db, producer):
    watch = CommitWatch(db.sessions)
    producer.observe = lambda: watch.writes_committed
    body = created(db)
    committed_at_send = producer.sent[0].observed if producer.sent else None
    assert committed_at_send == 0, (
        f"POST /orders had already committed {committed_at_send} write(s) when it awaited "
        "send_and_wait: the order was stored before Kafka acknowledged its event"
    )
    assert stored_orders(main, db) == [(body["id"], "ada", 1250)], (
        f"after POST /orders the table holds {stored_orders(main, db)}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("error", ["timeout", "connection", "not-leader", "base"])
@pytest.mark.hint(
    "Wrap the send in `try/except KafkaError` (the base class: a timeout, a lost connection, "
    "a broker's error answer are all KafkaErrors): roll back the session and raise "
    "HTTPException(503)."
)
def test_kafka_error_is_503_and_stores_nothing(main, db, producer, error):
    producer.error = {
        "timeout": KafkaTimeoutError(),
        "connection": KafkaConnectionError(),
        "not-leader": NotLeaderForPartitionError(),  # the broker's answer: another subclass
        "base": KafkaError(),
    }[error]
    response = db.client.post("/orders", json=ADA)
    assert response.status_code == 503, (
        f"when send_and_wait raised {type(producer.error).__name__}, POST /orders answered "
        f"{response.status_code}: {response.text[:200]}"
    )
    assert stored_orders(main, db) == [], (
        f"the event was never published, yet the table holds {stored_orders(main, db)}"
    )
    producer.error = None
    body = created(db)
    assert stored_orders(main, db) == [(body["id"], "ada", 1250)], (
        f"after one failed and one published order, the table holds {stored_orders(main, db)}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A rolled-back order's id is handed to the next order, and its failed send may have "
    "reached Kafka: an event_id built from the order id is then used twice. Make a new "
    "`str(uuid.uuid4())` for every event."
)
def test_a_failed_send_does_not_lend_its_event_id_to_the_next_event(db, producer):
    producer.error = KafkaTimeoutError()
    db.client.post("/orders", json=ADA)  # its status is another test's business
    producer.error = None
    created(db)
    # The failed send may have reached Kafka all the same: the next event needs an id of its own.
    ids = [json.loads(m.value)["event_id"] for m in producer.sent]
    assert len(ids) == 2 and len(set(ids)) == 2, (
        f"the event of the failed send and the next order's event have the event ids {ids}"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "payload",
    [
        {"customer": "", "amount_cents": 100},
        {"customer": "x" * 101, "amount_cents": 100},
        {"customer": "ada", "amount_cents": 0},
        {"amount_cents": 100},
    ],
)
def test_invalid_order_is_422_and_publishes_nothing(main, db, producer, payload):
    response = db.client.post("/orders", json=payload)
    assert response.status_code == 422, f"POST /orders {payload} answered {response.status_code}"
    assert not producer.sent and stored_orders(main, db) == [], (
        f"POST /orders {payload} still published or stored something"
    )


# --- Task 3: handle_order_event --------------------------------------------------------------


@pytest.mark.task(3)
def test_a_well_formed_event_is_applied(events):
    store = events.OrderStats()
    applied = events.handle_order_event(raw(event("e-1", amount=1250)), store)
    assert applied is True, f"handle_order_event of a new, valid event returned {applied!r}"
    assert snapshot(store) == ({"e-1"}, 1, 1250), (
        f"after one event of 1250 cents, the store is {snapshot(store)}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Before applying, check `event_id in store.processed`; if so return False and change nothing."
)
def test_the_same_event_twice_is_applied_once(events):
    store = events.OrderStats()
    message = raw(event("e-1", amount=500))
    results = [events.handle_order_event(message, store) for _ in range(2)]
    assert results == [True, False], f"the same message twice returned {results}"
    assert snapshot(store) == ({"e-1"}, 1, 500), (
        f"after the same 500-cent event twice, the store is {snapshot(store)}"
    )
    applied = events.handle_order_event(raw(event("e-2", amount=300)), store)
    assert applied is True and snapshot(store) == ({"e-1", "e-2"}, 2, 800), (
        f"a second event was {'applied' if applied else 'refused'}; the store is {snapshot(store)}"
    )


@pytest.mark.task(3)
@pytest.mark.hint(
    "Deduplicate on the parsed `event_id`, not on the message bytes: a redelivered event may be "
    "serialized with other spacing or key order."
)
def test_a_redelivery_with_other_bytes_is_still_a_duplicate(events):
    store = events.OrderStats()
    body = event("e-7", amount=400)
    events.handle_order_event(json.dumps(body).encode(), store)
    again = json.dumps(dict(reversed(body.items())), indent=2).encode()
    applied = events.handle_order_event(again, store)
    assert applied is False and snapshot(store) == ({"e-7"}, 1, 400), (
        f"event e-7 re-serialized was {'applied again' if applied else 'refused'}; the store is "
        f"{snapshot(store)}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Wrap `json.loads(raw)` in `try/except ValueError` (UnicodeDecodeError is one) and check "
    "that the result is a dict before reading from it."
)
def test_messages_that_are_not_json_objects_are_skipped(events):
    for message in [b"not json", b"\x80\x81 not utf-8", b"[1, 2]", b"null", b'"e-1"', b""]:
        store = events.OrderStats()
        try:
            applied = events.handle_order_event(message, store)
        except Exception as exc:
            pytest.fail(f"handle_order_event({message!r}) raised {type(exc).__name__}: {exc}")
        assert applied is False, f"handle_order_event({message!r}) returned {applied!r}"
        assert snapshot(store) == (set(), 0, 0), (
            f"handle_order_event({message!r}) changed the store to {snapshot(store)}"
        )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Check every field before touching the store: the type, a non-empty string event_id, and "
    "a payload dict with int order_id, str customer and int amount_cents."
)
def test_events_with_bad_fields_are_skipped(events):
    payload = {"order_id": 1, "customer": "ada", "amount_cents": 100}
    cases = {
        "type order.cancelled": event(type="order.cancelled"),
        "no type": {k: v for k, v in event().items() if k != "type"},
        "no event_id": {k: v for k, v in event().items() if k != "event_id"},
        "event_id 42": event(event_id=42),
        "event_id empty": event(event_id=""),
        "no payload": {k: v for k, v in event().items() if k != "payload"},
        "payload a string": event(payload="order 1"),
        "amount_cents a string": event(payload={**payload, "amount_cents": "100"}),
        "no amount_cents": event(payload={"order_id": 1, "customer": "ada"}),
        "order_id missing": event(payload={"customer": "ada", "amount_cents": 100}),
        "customer null": event(payload={**payload, "customer": None}),
    }
    for name, body in cases.items():
        store = events.OrderStats()
        try:
            applied = events.handle_order_event(raw(body), store)
        except Exception as exc:
            pytest.fail(f"an event with {name} raised {type(exc).__name__}: {exc}")
        assert applied is False, f"an event with {name} returned {applied!r}"
        assert snapshot(store) == (set(), 0, 0), (
            f"an event with {name} changed the store to {snapshot(store)}"
        )


@pytest.mark.task(3)
@pytest.mark.hint(
    "JSON `true` and `false` are not integers, but Python's bool is a subclass of int: "
    "`isinstance(True, int)` is True. Check `isinstance(v, int) and not isinstance(v, bool)`."
)
def test_json_booleans_are_not_integers(events):
    payload = {"order_id": 1, "customer": "ada", "amount_cents": 100}
    cases = {
        "amount_cents true": event(payload={**payload, "amount_cents": True}),
        "order_id true": event(payload={**payload, "order_id": True}),
        "amount_cents false": event(payload={**payload, "amount_cents": False}),
    }
    for name, body in cases.items():
        store = events.OrderStats()
        try:
            applied = events.handle_order_event(raw(body), store)
        except Exception as exc:
            pytest.fail(f"an event with {name} raised {type(exc).__name__}: {exc}")
        assert applied is False and snapshot(store) == (set(), 0, 0), (
            f"an event with {name} returned {applied!r}; the store is {snapshot(store)}"
        )


@pytest.mark.task(3)
@pytest.mark.hint("Add the event_id to store.processed only once the event has been applied.")
def test_a_malformed_event_does_not_use_up_its_id(events):
    store = events.OrderStats()
    broken = {k: v for k, v in event("e-9").items() if k != "payload"}
    events.handle_order_event(raw(broken), store)
    applied = events.handle_order_event(raw(event("e-9", amount=700)), store)
    assert applied is True and snapshot(store) == ({"e-9"}, 1, 700), (
        "after a malformed message with event_id e-9, the well-formed e-9 was "
        f"{'applied' if applied else 'refused'}; the store is {snapshot(store)}"
    )


@pytest.mark.task(3)
def test_the_published_event_is_consumed(events, db, producer):
    created(db, {"customer": "cy", "amount_cents": 4200})
    store = events.OrderStats()
    applied = events.handle_order_event(producer.sent[0].value, store)
    assert applied is True and (store.order_count, store.revenue_cents) == (1, 4200), (
        f"the event POST /orders published was {'applied' if applied else 'refused'}; the "
        f"store is {snapshot(store)}"
    )
