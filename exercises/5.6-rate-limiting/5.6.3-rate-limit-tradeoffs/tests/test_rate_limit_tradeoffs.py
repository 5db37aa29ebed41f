"""Hidden tests for 5.6.3: a fixed window and a sliding log, on a DictStore or on Redis.

Time: the limiters get the kit's fake clock (`clock.time`, 1767268800.0 at the start: a whole
minute), moved with `clock.advance()`. Redis is fakeredis (decode_responses=True); several
clients on one FakeServer stand for several processes. The concurrency test lets a second
limiter make one hit between two Redis calls of the first: each command of the client, and
each `execute()` or immediate command of a pipeline, is a call. DictStore memory is measured
with tracemalloc."""

import tracemalloc

import fakeredis
import pytest
import redis

KINDS = {"fixed": "FixedWindowLimiter", "log": "SlidingWindowLogLimiter"}
NAMES = {"fixed": "the fixed window", "log": "the sliding log"}
SIZE = {"zset": "zcard", "list": "llen", "set": "scard", "hash": "hlen"}


class InterleavedPipeline(redis.client.Pipeline):
    """A pipeline of an Interleaved client: its calls go through the client's hook."""

    def __init__(self, owner, transaction=True, shard_hint=None):
        super().__init__(owner.connection_pool, owner.response_callbacks, transaction, shard_hint)
        self.owner = owner

    def execute(self, *args, **kwargs):
        self.owner.before_call()
        return super().execute(*args, **kwargs)

    def immediate_execute_command(self, *args, **kwargs):
        self.owner.before_call()
        return super().immediate_execute_command(*args, **kwargs)


class Interleaved(fakeredis.FakeRedis):
    """A client that runs `rival()` once, just before its `inject_at`-th Redis call, and whose
    `fail_at`-th call fails with a ConnectionError, as when its process dies there."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls = 0
        self.inject_at = None
        self.rival = None
        self.rival_result = None
        self.fail_at = None

    def before_call(self):
        self.calls += 1
        if self.calls == self.fail_at:
            raise redis.ConnectionError("the process died before this Redis call")
        if self.rival is not None and self.calls == self.inject_at:
            rival, self.rival = self.rival, None
            self.rival_result = rival()

    def execute_command(self, *args, **options):
        self.before_call()
        return super().execute_command(*args, **options)

    def pipeline(self, transaction=True, shard_hint=None):
        return InterleavedPipeline(self, transaction, shard_hint)


@pytest.fixture
def lim(learner):
    return learner.require("limiters", *KINDS.values(), "DictStore", "RedisStore")


@pytest.fixture
def make(lim, clock):
    """make(kind, store, limit=5, window=60) -> a learner limiter on the fake clock, where
    store is "dict", "redis" or a store object."""

    def build(kind, store, limit=5, window=60):
        if store == "dict":
            store = lim.DictStore()
        elif store == "redis":
            store = lim.RedisStore(fakeredis.FakeRedis(decode_responses=True))
        return getattr(lim, KINDS[kind])(limit, window, clock.time, store)

    return build


def hits(limiter, n, key="client"):
    return [bool(limiter.hit(key)) for _ in range(n)]


def redis_keys(client):
    return sorted(client.scan_iter())


def size_of(client, key):
    kind = client.type(key)
    return getattr(client, SIZE[kind])(key) if kind in SIZE else 1


def grown_memory(step):
    """Bytes still allocated after running step(), as tracemalloc sees them."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        step()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


# --- Task 1: the fixed window -------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.parametrize("kind", ["fixed", "log"])
@pytest.mark.hint("Raise ValueError in __init__ when limit < 1 or window <= 0.")
def test_invalid_arguments_raise_value_error(lim, clock, kind):
    for limit, window in [(0, 60), (-1, 60), (5, 0), (5, -1)]:
        with pytest.raises(ValueError):
            getattr(lim, KINDS[kind])(limit, window, clock.time, lim.DictStore())


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("store", ["dict", "redis"])
@pytest.mark.hint(
    "Count the hits of a key per window number `floor(clock() / window)`; allow while the "
    "count is at most `limit`, and start from 0 in a new window."
)
def test_fixed_window_allows_limit_per_window(make, clock, store):
    limiter = make("fixed", store)
    clock.advance(10)
    first = hits(limiter, 6)
    assert first == [True] * 5 + [False], f"6 hits at 12:00:10 gave {first}"
    clock.advance(49)
    late = hits(limiter, 1)
    assert late == [False], f"a hit at 12:00:59, same window, gave {late}"
    clock.advance(1)
    fresh = hits(limiter, 6)
    assert fresh == [True] * 5 + [False], (
        f"6 hits at 12:01:00 (a new window) gave {fresh}, not 5 allowed and 1 refused"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("store", ["dict", "redis"])
@pytest.mark.hint(
    "Windows are fixed by the clock, [n × window, (n + 1) × window), not started by a "
    "client's first hit: 5 hits at 12:00:59.9 and 5 at 12:01:00.1 all pass."
)
def test_fixed_window_lets_twice_the_limit_through_across_an_edge(make, clock, store):
    limiter = make("fixed", store)
    clock.advance(59.9)
    before = hits(limiter, 6)
    clock.advance(0.2)
    after = hits(limiter, 6)
    assert (before, after) == ([True] * 5 + [False], [True] * 5 + [False]), (
        f"6 hits at 12:00:59.9 gave {before} and 6 at 12:01:00.1 gave {after}: a fixed window "
        "starts again at 12:01:00"
    )


@pytest.mark.task(1)
@pytest.mark.points(8)
@pytest.mark.hint(
    "Put the key in what you count (the dict key, the Redis key): one counter per key and "
    "window, never one per window for everybody."
)
def test_fixed_window_keys_count_on_their_own(make):
    for store in ["dict", "redis"]:
        limiter = make("fixed", store, limit=3)
        for key in ["alice", "bob", "alice:1", "203.0.113.10"]:
            got = hits(limiter, 4, key)
            assert got == [True] * 3 + [False], (
                f"4 hits of the key {key!r} on {NAMES['fixed']} with a {store} store (after "
                f"other keys used up their limit) gave {got}"
            )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "In a DictStore, replace a key's counter when its window changes (store the window number "
    "with the count) instead of adding one entry per window."
)
def test_dict_store_keeps_one_counter_per_key(make, clock):
    limiter = make("fixed", "dict", limit=5, window=1)

    def run(n):
        for _ in range(n):
            limiter.hit("client")
            clock.advance(1)

    run(50)
    grown = grown_memory(lambda: run(2000))
    assert grown < 20_000, (
        f"hitting one key once a window for 2000 windows kept {grown} more bytes in a "
        "DictStore: old windows' counters are kept"
    )


# --- Task 2: the sliding log --------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("store", ["dict", "redis"])
@pytest.mark.hint(
    "Allow a hit when fewer than `limit` logged times are later than now - window, then log "
    "it: the edge of a fixed window changes nothing."
)
def test_sliding_log_refuses_across_the_edge(make, clock, store):
    limiter = make("log", store)
    clock.advance(59.9)
    first = hits(limiter, 5)
    assert first == [True] * 5, f"5 hits at 12:00:59.9 gave {first}"
    clock.advance(0.2)
    edge = hits(limiter, 1)
    assert edge == [False], f"a 6th hit at 12:01:00.1 gave {edge}, not [False]"
    clock.advance(59.6)
    early = hits(limiter, 1)
    assert early == [False], f"a hit at 12:01:59.7 gave {early}, not [False]"
    clock.advance(0.25)
    later = hits(limiter, 6)
    assert later == [True] * 5 + [False], (
        f"6 hits at 12:01:59.95, once the 5 hits of 12:00:59.9 were 60 s old, gave {later}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("store", ["dict", "redis"])
@pytest.mark.hint(
    "Drop only the times at now - window or earlier; the hits of the last `window` seconds "
    "keep counting, whenever they were made."
)
def test_sliding_log_counts_the_last_window_whenever_now_is(make, clock, store):
    limiter = make("log", store)
    got = hits(limiter, 3)
    clock.advance(30)
    got += hits(limiter, 2)
    clock.advance(29)
    got += hits(limiter, 1)
    assert got == [True] * 5 + [False], (
        f"3 hits at 12:00:00, 2 at 12:00:30 and 1 at 12:00:59 gave {got}"
    )
    clock.advance(2)
    later = hits(limiter, 4)
    assert later == [True, True, True, False], (
        f"4 hits at 12:01:01 gave {later}: the 2 hits of 12:00:30 still count"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.parametrize("store", ["dict", "redis"])
@pytest.mark.hint(
    "Log a hit only when it is allowed: logging the refused ones keeps a retrying client "
    "locked out for ever."
)
def test_refused_hits_are_not_logged(make, clock, store):
    limiter = make("log", store, limit=2, window=10)
    assert hits(limiter, 2) == [True, True], "2 hits at 12:00:00 were not both allowed"
    refused = []
    for _ in range(18):
        clock.advance(0.5)
        refused += hits(limiter, 1)
    assert refused == [False] * 18, f"hits every 0.5 s until 12:00:09 gave {refused}"
    clock.advance(1)
    got = hits(limiter, 3)
    assert got == [True, True, False], (
        f"3 hits at 12:00:10, when the 2 allowed hits were 10 s old, gave {got}: the refused "
        "hits were logged"
    )


@pytest.mark.task(2)
@pytest.mark.points(8)
@pytest.mark.hint("One log per key: the key goes into the dict key or the Redis key.")
def test_sliding_log_keys_count_on_their_own(make):
    for store in ["dict", "redis"]:
        limiter = make("log", store, limit=3)
        for key in ["alice", "bob", "alice:1", "203.0.113.10"]:
            got = hits(limiter, 4, key)
            assert got == [True] * 3 + [False], (
                f"4 hits of the key {key!r} on {NAMES['log']} with a {store} store (after "
                f"other keys used up their limit) gave {got}"
            )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Remove the times at now - window or earlier (ZREMRANGEBYSCORE key -inf now-window) and "
    "never keep a refused hit: a key's log holds at most `limit` times."
)
def test_a_log_in_redis_never_holds_more_than_limit(lim, clock):
    client = fakeredis.FakeRedis(decode_responses=True)
    limiter = lim.SlidingWindowLogLimiter(3, 10, clock.time, lim.RedisStore(client))
    for n in range(60):
        limiter.hit("client")
        limiter.hit(f"other-{n % 3}")
        clock.advance(0.75)
    keys = redis_keys(client)
    assert keys, "after 120 hits, the sliding log's Redis holds no key"
    sizes = {key: size_of(client, key) for key in keys}
    assert all(size <= 3 for size in sizes.values()), (
        f"after 60 hits on a key with limit=3, window=10 over 45 s, the Redis keys hold "
        f"{sizes} entries"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A refused hit must never be written, not even for a moment: adding it and then removing it "
    "in a second Redis call leaves it in the log when the process dies in between. WATCH the "
    "key, count, then trim, add (only when allowed) and expire in one MULTI/EXEC, and retry on "
    "WatchError."
)
def test_a_process_dying_on_a_refused_hit_leaves_no_entry(lim, clock):
    logged = {}
    for fail_at in range(1, 9):
        server = fakeredis.FakeServer()
        dying = Interleaved(server=server, decode_responses=True)
        plain = fakeredis.FakeRedis(server=server, decode_responses=True)
        other = lim.SlidingWindowLogLimiter(3, 60, clock.time, lim.RedisStore(plain))
        assert hits(other, 3) == [True] * 3, "3 hits on a fresh Redis with limit=3"
        clock.advance(30)
        dying.fail_at = fail_at
        try:
            lim.SlidingWindowLogLimiter(3, 60, clock.time, lim.RedisStore(dying)).hit("client")
        except redis.RedisError:
            pass  # the process died
        refused = hits(other, 1)
        sizes = {key: size_of(plain, key) for key in redis_keys(plain)}
        clock.advance(30.5)
        later = hits(other, 4)
        if refused != [False] or later != [True] * 3 + [False] or max(sizes.values()) > 3:
            logged[fail_at] = (refused, sizes, later)
    assert not logged, (
        "with the sliding log (limit=3, window=60): 3 hits, then 30 s later a 4th hit whose "
        "process died just before its Redis call number n, then a hit of another process, "
        "then 4 hits 30.5 s later (the 3 allowed hits 60.5 s old) gave, by n, (the other's "
        f"hit, the Redis keys' sizes after it, the 4 later hits): {logged}; expected "
        "[False], at most 3 entries, [True, True, True, False]: the refused hit stayed logged"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "In a DictStore too, drop the times older than the window (a deque with maxlen=limit, or "
    "filter the list) instead of letting the log grow."
)
def test_a_log_in_a_dict_store_stays_small(make, clock):
    limiter = make("log", "dict", limit=5, window=10)

    def run(n):
        for _ in range(n):
            limiter.hit("client")
            clock.advance(2)

    run(50)
    grown = grown_memory(lambda: run(2000))
    assert grown < 20_000, (
        f"2000 allowed hits on one key (limit=5, window=10) kept {grown} more bytes in a "
        "DictStore: the log keeps old times"
    )


# --- Task 3: shared stores ----------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.parametrize("kind", ["fixed", "log"])
@pytest.mark.hint(
    "Keep every count in Redis (no copy in the RedisStore object): two processes on one "
    "Redis must see each other's hits."
)
def test_two_instances_on_one_redis_share_one_limit(lim, clock, kind):
    server = fakeredis.FakeServer()
    cls = getattr(lim, KINDS[kind])
    first, second = (
        cls(
            5,
            60,
            clock.time,
            lim.RedisStore(fakeredis.FakeRedis(server=server, decode_responses=True)),
        )
        for _ in range(2)
    )
    got = [bool((first if n % 2 == 0 else second).hit("client")) for n in range(10)]
    assert sum(got) == 5, (
        f"two instances of {NAMES[kind]} (limit=5) on one Redis, hit in turn, gave {got}: "
        f"{sum(got)} hits let through"
    )


@pytest.mark.task(3)
@pytest.mark.parametrize("kind", ["fixed", "log"])
@pytest.mark.hint(
    "Keep a DictStore's data on the instance (in __init__), not in a class attribute or a "
    "module global: limiters on one DictStore share, two DictStores share nothing."
)
def test_dict_stores_share_only_when_they_are_one(lim, clock, kind):
    cls = getattr(lim, KINDS[kind])
    shared = lim.DictStore()
    first, second = cls(5, 60, clock.time, shared), cls(5, 60, clock.time, shared)
    together = [bool((first if n % 2 == 0 else second).hit("client")) for n in range(10)]
    apart = [
        bool(limiter.hit("client"))
        for limiter in (
            cls(5, 60, clock.time, lim.DictStore()),
            cls(5, 60, clock.time, lim.DictStore()),
        )
        for _ in range(5)
    ]
    assert sum(together) == 5, (
        f"two instances of {NAMES[kind]} on one DictStore, hit in turn, let {sum(together)} of "
        "10 hits through, not 5"
    )
    assert apart == [True] * 10, (
        f"two instances of {NAMES[kind]} on two DictStores, 5 hits each, gave {apart}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize("store", ["dict", "redis"])
@pytest.mark.hint(
    "Give each kind of limiter its own names in the store (a prefix such as 'fixed:' and "
    "'log:'): a Redis counter and a sorted set under one name fail with WRONGTYPE."
)
def test_both_kinds_share_a_store_without_collisions(lim, clock, store):
    if store == "dict":
        shared = lim.DictStore()
    else:
        shared = lim.RedisStore(fakeredis.FakeRedis(decode_responses=True))
    fixed = lim.FixedWindowLimiter(3, 60, clock.time, shared)
    log = lim.SlidingWindowLogLimiter(3, 60, clock.time, shared)
    got = []
    for _ in range(4):
        got.append((bool(fixed.hit("alice")), bool(log.hit("alice"))))
    assert got == [(True, True)] * 3 + [(False, False)], (
        f"a fixed window and a sliding log (limit=3 each) on one {store} store, hit in turn "
        f"with the key 'alice', gave {got}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize("kind", ["fixed", "log"])
@pytest.mark.hint(
    "EXPIRE every key you write (in the same transaction): `pipe.expire(key, window)`. A "
    "duration, not EXPIREAT: Redis's clock is not the limiter's."
)
def test_every_redis_key_expires_within_two_windows(lim, clock, kind):
    client = fakeredis.FakeRedis(decode_responses=True)
    limiter = getattr(lim, KINDS[kind])(5, 60, clock.time, lim.RedisStore(client))
    for key in ["alice", "bob", "carol"]:
        hits(limiter, 7, key)
        clock.advance(25)
    keys = redis_keys(client)
    assert keys, (
        f"after hits by 3 clients, {NAMES[kind]}'s Redis holds no key (a TTL given as a moment "
        "of the fake clock, long past for Redis, deletes them at once)"
    )
    ttls = {key: client.pttl(key) for key in keys}
    assert all(0 < ttl <= 120_000 for ttl in ttls.values()), (
        f"with window=60, {NAMES[kind]}'s Redis keys have these TTLs in ms: {ttls} "
        "(-1 means no TTL); each must be at most 120000"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize("kind", ["fixed", "log"])
@pytest.mark.hint(
    "A process can die between two of its Redis calls: INCR, then EXPIRE only when the count is "
    "1, leaves a key that never expires if it dies in between. Send the EXPIRE in the same "
    "MULTI/EXEC transaction as the write, on every hit."
)
def test_a_key_gets_its_ttl_even_after_a_process_died_between_two_calls(lim, clock, kind):
    cls = getattr(lim, KINDS[kind])
    lasting = {}
    for fail_at in range(1, 9):
        server = fakeredis.FakeServer()
        dying = Interleaved(server=server, decode_responses=True)
        plain = fakeredis.FakeRedis(server=server, decode_responses=True)
        dying.fail_at = fail_at
        try:
            cls(5, 60, clock.time, lim.RedisStore(dying)).hit("client")
        except redis.RedisError:
            pass  # the process died
        cls(5, 60, clock.time, lim.RedisStore(plain)).hit("client")
        ttls = {key: plain.pttl(key) for key in redis_keys(plain)}
        if not all(0 < ttl <= 120_000 for ttl in ttls.values()):
            lasting[fail_at] = ttls
    assert not lasting, (
        f"with {NAMES[kind]} (window=60), a process died just before its Redis call number "
        f"n, then another process hit the same key; the keys then had these TTLs in ms, by n: "
        f"{lasting} (-1 means none, so Redis never forgets the client); each must be at most "
        "120000"
    )


# --- Task 4: atomic under concurrency -----------------------------------------------------


def racing_hits(lim, clock, kind, made):
    """Two limiters of `kind` (limit 3, window 60) on one Redis, after `made` hits of the
    second: the second hits again just before the first's Redis call number n, for n from 1 to
    8 (after the first's hit, if it makes fewer calls). {n: (the first's result, the second's)}."""
    cls = getattr(lim, KINDS[kind])
    results = {}
    for inject_at in range(1, 9):
        server = fakeredis.FakeServer()
        watched = Interleaved(server=server, decode_responses=True)
        plain = fakeredis.FakeRedis(server=server, decode_responses=True)
        first = cls(3, 60, clock.time, lim.RedisStore(watched))
        second = cls(3, 60, clock.time, lim.RedisStore(plain))
        assert hits(second, made) == [True] * made, (
            f"{made} hit(s) on a fresh Redis with {NAMES[kind]}"
        )
        watched.calls, watched.inject_at = 0, inject_at
        watched.rival = lambda second=second: bool(second.hit("client"))
        mine = bool(first.hit("client"))
        if watched.rival is not None:  # the first made fewer calls: the second hits after it
            watched.rival = None
            theirs = bool(second.hit("client"))
        else:
            theirs = watched.rival_result
        results[inject_at] = (mine, theirs)
    return results


@pytest.mark.task(4)
@pytest.mark.points(8)
@pytest.mark.parametrize("kind", ["fixed", "log"])
@pytest.mark.hint(
    "Check and update in one atomic step: INCR (then EXPIRE) in one MULTI/EXEC pipeline for "
    "the fixed window; for the log, WATCH the key, count, then trim, add and expire in one "
    "MULTI/EXEC, retrying on WatchError. Never read, decide, then write unwatched."
)
def test_a_hit_between_two_redis_calls_never_lets_more_through(lim, clock, kind):
    results = racing_hits(lim, clock, kind, made=2)
    leaks = [n for n, (mine, theirs) in results.items() if mine and theirs]
    assert not leaks, (
        f"with {NAMES[kind]} (limit=3) and 2 hits made, two instances on one Redis both let a "
        f"hit through when the second hit just before the first's Redis call number {leaks}: "
        "4 hits passed a limit of 3 (read, then write: not atomic)"
    )


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.parametrize("kind", ["fixed", "log"])
@pytest.mark.hint(
    "A transaction that fails because another process changed the key (WatchError) is no "
    "reason to refuse: count again and decide again, until one transaction goes through."
)
def test_a_hit_between_two_redis_calls_is_allowed_when_there_is_room(lim, clock, kind):
    results = racing_hits(lim, clock, kind, made=1)
    refused = {n: both for n, both in results.items() if not all(both)}
    assert not refused, (
        f"with {NAMES[kind]} (limit=3) and 1 hit made, two instances on one Redis each made a "
        "hit, the second just before the first's Redis call number n; by n, (the first's, the "
        f"second's) results were {refused}, not (True, True): 3 hits fit in a limit of 3, yet "
        "one was refused because the key changed under it"
    )
