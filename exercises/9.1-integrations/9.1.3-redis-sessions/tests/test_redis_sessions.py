import fakeredis
import pytest
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

ADA = {"username": "ada", "password": "lovelace"}
BOB = {"username": "bob", "password": "builder"}
TTL = 1800


@pytest.fixture
def sessions(learner):
    return learner.require("sessions", "RedisSessionStore")


@pytest.fixture
def main(learner):
    return learner.require("main", "create_app")


@pytest.fixture
def server():
    return fakeredis.FakeServer()


def redis_on(server):
    return fakeredis.FakeRedis(server=server, decode_responses=True)


@pytest.fixture
def redis(server):
    return redis_on(server)


@pytest.fixture
def new_client(main, app_client):
    """A client (one browser) of a new app built on ``redis``; https, so a Secure cookie works."""

    def make(redis):
        return app_client(main.create_app(redis), base_url="https://testserver")

    return make


@pytest.fixture
def client(new_client, redis):
    return new_client(redis)


def login(client, credentials=ADA):
    response = client.post("/login", json=credentials)
    assert response.status_code == 200, (
        f"POST /login {credentials} answered {response.status_code}: {response.text[:200]}"
    )
    sid = response.cookies.get("sid")
    assert sid, f"POST /login answered no sid cookie: {response.headers.get_list('set-cookie')}"
    return sid


def use_sid(client, sid):
    client.cookies.clear()
    client.cookies.set("sid", sid)


def status_of(client, method, path):
    return client.request(method, path).status_code


def ttl_ok(ttl, full):
    return full - 5 <= ttl <= full


# --- Task 1: RedisSessionStore ------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_create_stores_the_user_with_its_ttl_and_indexes_it(sessions, redis):
    store = sessions.RedisSessionStore(redis, ttl=60)
    sid = store.create("ada")
    assert isinstance(sid, str) and sid, f"create('ada') returned {sid!r}"
    value, ttl = redis.get(f"session:{sid}"), redis.ttl(f"session:{sid}")
    assert value == "ada", f"after create('ada'), the key session:<sid> holds {value!r}"
    assert ttl_ok(ttl, 60), f"with ttl=60, session:<sid> has a TTL of {ttl}"
    members = redis.smembers("user_sessions:ada")
    assert members == {sid}, f"after one create('ada'), user_sessions:ada holds {members}"
    assert store.get(sid) == "ada", f"get(sid) of a new session returned {store.get(sid)!r}"


@pytest.mark.task(1)
def test_the_default_ttl_is_1800_seconds(sessions, redis):
    sid = sessions.RedisSessionStore(redis).create("bob")
    ttl = redis.ttl(f"session:{sid}")
    assert ttl_ok(ttl, TTL), f"with the default ttl, session:<sid> has a TTL of {ttl}"


@pytest.mark.task(1)
@pytest.mark.hint("`secrets.token_urlsafe(32)`: 43 random characters, new for every session.")
def test_session_ids_are_random(sessions, redis):
    store = sessions.RedisSessionStore(redis)
    sids = [store.create("ada") for _ in range(3)]
    assert len(set(sids)) == 3, f"three sessions of ada got the ids {sids}"
    assert all(len(sid) >= 32 and "ada" not in sid for sid in sids), (
        f"the session ids {sids} are short or derived from the user"
    )


@pytest.mark.task(1)
def test_get_of_an_unknown_or_expired_session_is_none(sessions, redis):
    store = sessions.RedisSessionStore(redis)
    sid = store.create("ada")
    redis.delete(f"session:{sid}")  # what expiry does
    got = (store.get("no-such-session"), store.get(sid))
    assert got == (None, None), f"get() of an unknown and of an expired session returned {got}"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    '`redis.expire(f"session:{sid}", self.ttl)` restarts the countdown, and answers False '
    "without creating anything when the key is gone."
)
def test_touch_restores_the_full_ttl_and_never_revives(sessions, redis):
    store = sessions.RedisSessionStore(redis, ttl=60)
    sid = store.create("ada")
    redis.expire(f"session:{sid}", 5)
    touched = store.touch(sid)
    ttl = redis.ttl(f"session:{sid}")
    assert touched is True and ttl_ok(ttl, 60), (
        f"touch() of a session with 5 s left returned {touched!r}; its TTL is now {ttl}"
    )
    redis.delete(f"session:{sid}")
    touched = store.touch(sid)
    assert touched is False and not redis.exists(f"session:{sid}"), (
        f"touch() of an expired session returned {touched!r} and the key "
        f"{'exists again' if redis.exists(f'session:{sid}') else 'stays gone'}"
    )


@pytest.mark.task(1)
def test_destroy_ends_one_session(sessions, redis):
    store = sessions.RedisSessionStore(redis)
    sid, other = store.create("ada"), store.create("ada")
    store.destroy(sid)
    assert store.get(sid) is None and not redis.exists(f"session:{sid}"), (
        "after destroy(sid), the session still exists"
    )
    members = redis.smembers("user_sessions:ada")
    assert members == {other}, f"after destroy(sid), user_sessions:ada holds {members}"
    assert store.get(other) == "ada", "destroy(sid) also ended ada's other session"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Read the user's set (`smembers`), delete every `session:<sid>` in it, then the set; "
    "return the number of keys deleted."
)
def test_destroy_all_ends_every_session_of_one_user(sessions, redis):
    store = sessions.RedisSessionStore(redis)
    ada = [store.create("ada"), store.create("ada")]
    bob = store.create("bob")
    ended = store.destroy_all("ada")
    assert ended == 2, f"destroy_all('ada') with 2 sessions returned {ended!r}"
    left = [store.get(sid) for sid in ada]
    assert left == [None, None], f"after destroy_all('ada'), get() of her sessions gives {left}"
    assert not redis.exists("user_sessions:ada"), "destroy_all('ada') left user_sessions:ada"
    assert store.get(bob) == "bob", "destroy_all('ada') also ended bob's session"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The set still lists ids whose session has expired: count the `session:<sid>` keys you "
    "really deleted (`redis.delete(*keys)` answers that number), not the ids in the set."
)
def test_destroy_all_does_not_count_sessions_that_had_expired(sessions, redis):
    store = sessions.RedisSessionStore(redis)
    live, expired = store.create("ada"), store.create("ada")
    redis.delete(f"session:{expired}")  # what expiry does; its id stays in the user's set
    ended = store.destroy_all("ada")
    assert ended == 1, (
        f"destroy_all('ada') with 1 live and 1 expired session returned {ended!r}, not 1"
    )
    assert store.get(live) is None and not redis.exists("user_sessions:ada"), (
        "destroy_all('ada') left her live session or her set behind"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Do not catch Redis errors in the store: an outage is not 'no session'. Let them reach the "
    "app, which answers 503."
)
def test_the_store_lets_redis_errors_propagate(sessions, redis, server):
    store = sessions.RedisSessionStore(redis)
    sid = store.create("ada")
    server.connected = False
    for name, call in [("get", lambda: store.get(sid)), ("touch", lambda: store.touch(sid))]:
        with pytest.raises(RedisError):
            result = call()
            pytest.fail(f"with Redis down, {name}(sid) returned {result!r} instead of raising")


# --- Task 2: login, /me, logout --------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    '`response.set_cookie("sid", sid, httponly=True, samesite="lax")`, with the id from '
    "`store.create(username)`."
)
def test_login_sets_an_httponly_lax_cookie_for_a_live_session(client, redis):
    response = client.post("/login", json=ADA)
    assert response.status_code == 200 and response.json() == {"user_id": "ada"}, (
        f"POST /login {ADA} answered {response.status_code}: {response.text[:200]}"
    )
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith("sid=")]
    assert headers, f"POST /login set no sid cookie: {response.headers.get_list('set-cookie')}"
    attributes = {part.strip().lower() for part in headers[0].split(";")}
    assert "httponly" in attributes and "samesite=lax" in attributes, (
        f"the sid cookie is {headers[0]!r}: not HttpOnly with SameSite=Lax"
    )
    sid = response.cookies.get("sid")
    assert redis.get(f"session:{sid}") == "ada", "the sid cookie names no session of ada in Redis"
    assert ttl_ok(redis.ttl(f"session:{sid}"), TTL), (
        f"the new session's TTL is {redis.ttl(f'session:{sid}')}"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "ada", "password": "wrong"},
        {"username": "nobody", "password": "lovelace"},
        {"username": "bob", "password": "lovelace"},
    ],
)
def test_wrong_credentials_are_401_and_create_no_session(client, redis, credentials):
    response = client.post("/login", json=credentials)
    assert response.status_code == 401, f"POST /login {credentials} answered {response.status_code}"
    assert "sid" not in response.cookies and not redis.keys("session:*"), (
        f"POST /login {credentials} still created a session"
    )


@pytest.mark.task(2)
def test_me_answers_the_logged_in_user(client):
    login(client, BOB)
    response = client.get("/me")
    assert response.status_code == 200 and response.json() == {"user_id": "bob"}, (
        f"GET /me after bob logged in answered {response.status_code}: {response.text[:200]}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint("On every authenticated request, `store.touch(sid)`: the TTL starts again.")
def test_me_refreshes_the_ttl(client, redis):
    sid = login(client)
    redis.expire(f"session:{sid}", 10)
    assert client.get("/me").status_code == 200, "GET /me with a live session was refused"
    ttl = redis.ttl(f"session:{sid}")
    assert ttl_ok(ttl, TTL), f"a session with 10 s left has a TTL of {ttl} after GET /me"


@pytest.mark.task(2)
@pytest.mark.parametrize("cookie", ["none", "forged", "username", "expired"])
@pytest.mark.hint("Look the cookie's id up in Redis; anything that is not a live session is 401.")
def test_me_without_a_live_session_is_401(client, redis, cookie):
    if cookie == "expired":
        sid = login(client)
        assert status_of(client, "GET", "/me") == 200, "GET /me with a live session was refused"
        redis.delete(f"session:{sid}")  # what expiry does, after the app has seen the session
    elif cookie == "forged":
        use_sid(client, "a" * 43)
    elif cookie == "username":
        use_sid(client, "ada")
    assert status_of(client, "GET", "/me") == 401, f"GET /me with a {cookie} sid was not 401"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Keep nothing about sessions in the app: every lookup goes to Redis, so an app built on "
    "another client of the same server sees the same sessions."
)
def test_two_app_instances_share_the_sessions(server, new_client):
    first, second = new_client(redis_on(server)), new_client(redis_on(server))
    sid = login(first)
    assert status_of(first, "GET", "/me") == 200, "GET /me with a live session was refused"
    use_sid(second, sid)
    response = second.get("/me")
    assert response.status_code == 200 and response.json() == {"user_id": "ada"}, (
        f"the second instance answered GET /me with ada's cookie {response.status_code}: "
        f"{response.text[:200]}"
    )
    assert status_of(second, "POST", "/logout") == 204, "POST /logout on the second instance"
    use_sid(first, sid)
    assert status_of(first, "GET", "/me") == 401, (
        "after logout on the second instance, the first still accepts the session"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint('`store.destroy(sid)`, `response.delete_cookie("sid")`, status_code=204.')
def test_logout_ends_the_session(client, new_client, redis):
    sid = login(client)
    other = login(new_client(redis))
    response = client.post("/logout")
    assert response.status_code == 204, f"POST /logout answered {response.status_code}"
    assert "sid" not in client.cookies, (
        "POST /logout did not clear the sid cookie "
        f"(set-cookie: {response.headers.get_list('set-cookie')})"
    )
    assert not redis.exists(f"session:{sid}"), "after POST /logout the session is still in Redis"
    assert sid not in redis.smembers("user_sessions:ada"), (
        "after POST /logout the id is still in user_sessions:ada"
    )
    use_sid(client, sid)
    assert status_of(client, "GET", "/me") == 401, "the logged-out sid still opens GET /me"
    assert redis.get(f"session:{other}") == "ada", "POST /logout also ended ada's other session"


@pytest.mark.task(2)
def test_logout_without_a_session_is_401(client):
    assert status_of(client, "POST", "/logout") == 401, "POST /logout without a cookie"


# --- Task 3: log out everywhere, Redis down ---------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_logout_all_ends_every_device_of_the_user(client, new_client, redis):
    laptop, phone, bobs = client, new_client(redis), new_client(redis)
    login(laptop)
    login(phone)
    login(bobs, BOB)
    assert status_of(phone, "GET", "/me") == 200, "GET /me with a live session was refused"
    response = laptop.post("/logout-all")
    assert response.status_code == 200 and response.json() == {"ended": 2}, (
        f"POST /logout-all with 2 sessions of ada answered {response.status_code}: "
        f"{response.text[:200]}"
    )
    assert status_of(phone, "GET", "/me") == 401, "after logout-all, ada's phone is still in"
    assert status_of(bobs, "GET", "/me") == 200, "logout-all by ada also logged bob out"
    assert not redis.exists("user_sessions:ada"), "logout-all left user_sessions:ada"


@pytest.mark.task(3)
def test_logout_all_without_a_session_is_401(client):
    use_sid(client, "forged")
    assert status_of(client, "POST", "/logout-all") == 401, "POST /logout-all with a forged sid"


@pytest.fixture
def failing():
    """Makes every command of one client (pipelines too) raise ``error`` until ``restore()``."""

    class Failing:
        patch = pytest.MonkeyPatch()

        def __call__(self, redis, error):
            def fail(*args, **kwargs):
                raise error

            self.patch.setattr(redis.connection_pool, "get_connection", fail)

        def restore(self):
            self.patch.undo()

    failing = Failing()
    yield failing
    failing.restore()


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.parametrize("error", ["TimeoutError", "RedisError"])
@pytest.mark.hint(
    "Not only a ConnectionError: a timeout, or any other `redis.exceptions.RedisError`, is an "
    "outage too. Handle the base class: `@app.exception_handler(RedisError)`."
)
def test_any_redis_error_is_503(client, redis, failing, error):
    sid = login(client)
    raised = {"TimeoutError": RedisTimeoutError, "RedisError": RedisError}[error]
    failing(redis, raised("Redis failed"))
    for method, path in [("GET", "/me"), ("POST", "/logout"), ("POST", "/logout-all")]:
        use_sid(client, sid)
        response = client.request(method, path)
        assert response.status_code == 503, (
            f"{method} {path} while Redis raised {error} answered {response.status_code}: "
            f"{response.text[:200]}"
        )
    response = client.post("/login", json=ADA)
    assert response.status_code == 503, (
        f"POST /login while Redis raised {error} answered {response.status_code}: "
        f"{response.text[:200]}"
    )
    failing.restore()
    use_sid(client, sid)
    assert status_of(client, "GET", "/me") == 200, (
        f"after Redis raised {error} for a while, the session no longer works"
    )


@pytest.mark.task(3)
@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/login"), ("GET", "/me"), ("POST", "/logout"), ("POST", "/logout-all")],
)
@pytest.mark.hint(
    "`@app.exception_handler(RedisError)` returning a 503 JSONResponse: a ConnectionError that "
    "escapes a route is a 500, and one caught as 'no session' is a 401 that logs users out."
)
def test_redis_down_is_503_and_the_session_survives(client, server, method, path):
    sid = login(client)
    server.connected = False
    if path == "/login":
        response = client.post("/login", json=ADA)
    else:
        response = client.request(method, path)
    assert response.status_code == 503, (
        f"{method} {path} while Redis is down answered {response.status_code}: "
        f"{response.text[:200]}"
    )
    server.connected = True
    # The browser keeps whatever cookie the 503 left it: a 503 that clears `sid` loses the session.
    assert status_of(client, "GET", "/me") == 200, (
        f"after {method} {path} failed during the outage, the session no longer works with the "
        f"cookies the browser kept (sid {sid[:8]}…; the 503 sent "
        f"{response.headers.get_list('set-cookie')})"
    )
