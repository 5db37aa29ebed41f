"""Hidden tests for 4.6.3: the lifespan checks APP_SECRET, loads the model once per start, warms a
cache, hands both over as lifespan state, and closes the model at shutdown, whatever happens."""

import asyncio
import contextlib

import pytest

from grader.testing import client_for

# The prompt announces it: DeprecationWarnings raised from main.py are errors in every test.
pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning:main")

NAMES = ("app", "Model", "load_model", "WARMUP_TEXTS")
SECRET = "s3cret-for-tests"
WORDS = {"great": "positive", "good": "positive", "awful": "negative", "bad": "negative"}


def import_main(learner, fresh=False):
    """main.py, imported under this module's warning filter; a failed import fails the test with
    its error on one line."""
    try:
        return learner.require("main", *NAMES, fresh=fresh)
    except Exception as exc:  # the plugin's LearnerCodeError
        text = " ".join(str(exc).split())
        if "DeprecationWarning" in text:
            text += " (a DeprecationWarning raised from main.py is an error in these tests)"
        raise AssertionError(text) from None


@pytest.fixture
def main(learner):
    return import_main(learner)


class Loads:
    """The test's load_model: counts its calls and hands out watched models."""

    def __init__(self, main):
        loads = self

        class WatchedModel(main.Model):
            def __init__(self, version):
                super().__init__(version, dict(WORDS))
                self.predicted: list[str] = []
                self.closes = 0

            def predict(self, text):
                self.predicted.append(text)
                if text == loads.fail_on:
                    raise ValueError(f"the model failed on {text!r} (the test made it fail)")
                return super().predict(text)

            def close(self):
                self.closes += 1
                super().close()

        self.model_class = WatchedModel
        self.models: list = []
        self.fail_on: str | None = None

    def __call__(self, *args, **kwargs):
        model = self.model_class(f"test-model-{len(self.models) + 1}")
        self.models.append(model)
        return model

    @property
    def count(self) -> int:
        return len(self.models)


@pytest.fixture
def loads(main, monkeypatch):
    fake = Loads(main)
    monkeypatch.setattr(main, "load_model", fake)
    monkeypatch.setenv("APP_SECRET", SECRET)
    return fake


def running(app):
    """`with running(app) as client:` runs the app's lifespan around the block."""
    return client_for(app)


def startup_error(app) -> Exception | None:
    try:
        with running(app):
            pass
    except Exception as exc:  # any error, as long as the app does not start
        return exc
    return None


def predict(client, text, key=SECRET):
    headers = {} if key is None else {"X-API-Key": key}
    return client.get("/predict", params={"text": text}, headers=headers)


def answer(client, text):
    response = predict(client, text)
    assert response.status_code == 200, (
        f"GET /predict?text={text} with the right X-API-Key answered {response.status_code}: "
        f"{response.text[:200]}"
    )
    return response.json()


def enter_lifespan(app):
    """The state the app's lifespan yields when the server enters it."""

    async def scenario():
        async with app.router.lifespan_context(app) as state:
            return state

    return asyncio.run(scenario())


# --- Task 1: the configuration ---------------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.parametrize("secret", [None, ""], ids=["missing", "empty"])
@pytest.mark.hint(
    "First thing in the lifespan: `secret = os.environ.get('APP_SECRET')`, and "
    "`if not secret: raise RuntimeError('APP_SECRET is not set')`, before load_model(). An "
    "exception before the yield makes startup fail."
)
def test_no_secret_fails_startup_before_loading(main, loads, monkeypatch, secret):
    if secret is None:
        monkeypatch.delenv("APP_SECRET")
    else:
        monkeypatch.setenv("APP_SECRET", secret)
    error = startup_error(main.app)
    described = "without APP_SECRET" if secret is None else "with APP_SECRET empty"
    assert error is not None, f"{described}, the app started"
    assert isinstance(error, RuntimeError), (
        f"{described}, startup raised {type(error).__name__}: {error}, not RuntimeError"
    )
    assert "APP_SECRET" in str(error), f"the RuntimeError says {str(error)!r}, not APP_SECRET"
    assert loads.count == 0, (
        f"{described}, load_model() was still called {loads.count} time(s): check the "
        "configuration before loading anything"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Compare the X-API-Key header (`x_api_key: Annotated[str | None, Header()] = None`) with "
    "the secret read at startup, and raise HTTPException(401) when it is missing or different."
)
def test_predict_needs_the_secret_of_this_run(main, loads, monkeypatch):
    monkeypatch.setenv("APP_SECRET", "first-secret")
    with running(main.app) as client:
        good = predict(client, "great", key="first-secret")
        missing = predict(client, "great", key=None)
        wrong = predict(client, "great", key="not-the-secret")
    assert good.status_code == 200, (
        f"with APP_SECRET=first-secret (set after main.py was imported), GET /predict with that "
        f"key answered {good.status_code}: {good.text[:200]}"
    )
    assert (missing.status_code, wrong.status_code) == (401, 401), (
        f"GET /predict without an X-API-Key and with a wrong one answered {missing.status_code} "
        f"and {wrong.status_code}, expected 401 and 401"
    )
    monkeypatch.setenv("APP_SECRET", "second-secret")
    with running(main.app) as client:
        old = predict(client, "great", key="first-secret")
        new = predict(client, "great", key="second-secret")
    assert (old.status_code, new.status_code) == (401, 200), (
        "after a restart with APP_SECRET=second-secret, the old and the new key answered "
        f"{old.status_code} and {new.status_code}, expected 401 and 200"
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Read APP_SECRET once, in the lifespan, and hand that value to the requests (for example "
    "in the yielded state, `yield {..., 'secret': secret}`, read as request.state.secret). "
    "Reading os.environ in the route follows the variable while the app runs."
)
def test_the_secret_is_the_one_read_at_startup(main, loads, monkeypatch):
    monkeypatch.setenv("APP_SECRET", "secret-at-startup")
    with running(main.app) as client:
        before = predict(client, "great", key="secret-at-startup")
        monkeypatch.setenv("APP_SECRET", "changed-while-running")
        old = predict(client, "great", key="secret-at-startup")
        changed = predict(client, "great", key="changed-while-running")
    assert before.status_code == 200, (
        f"with APP_SECRET=secret-at-startup, GET /predict with that key answered "
        f"{before.status_code}: {before.text[:200]}"
    )
    assert (old.status_code, changed.status_code) == (200, 401), (
        "APP_SECRET was changed while the app was running; the key read at startup and the new "
        f"value answered {old.status_code} and {changed.status_code}, expected 200 and 401: the "
        "secret of a run is the one its lifespan read when the app started"
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`@app.on_event('startup')` is deprecated and is not called at all when the app has a "
    "lifespan; FastAPI(on_startup=..., on_shutdown=...) is the same old mechanism. Do the work "
    "in the lifespan and pass FastAPI(lifespan=lifespan)."
)
def test_no_deprecated_startup_or_shutdown_events(learner, monkeypatch):
    monkeypatch.setenv("APP_SECRET", SECRET)
    # Imported and run under this module's filter: a DeprecationWarning from main.py is an error.
    main = import_main(learner, fresh=True)
    with running(main.app) as client:
        predict(client, "good")
    router = main.app.router
    handlers = list(getattr(router, "on_startup", [])) + list(getattr(router, "on_shutdown", []))
    names = [getattr(handler, "__name__", repr(handler)) for handler in handlers]
    assert not names, f"the app has startup/shutdown event handlers {names}: use the lifespan"


# --- Task 2: the model, once per start -------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(3)
@pytest.mark.hint(
    "Call load_model() in the lifespan, before the yield, and hand the model over as lifespan "
    "state: `yield {'model': model, 'cache': cache}`; the route reads `request.state.model`. "
    "Loading it in the route loads it on every request."
)
def test_ten_requests_load_the_model_once(main, loads):
    with running(main.app) as client:
        answers = [answer(client, f"text number {n}") for n in range(10)]
    assert loads.count == 1, f"one run with 10 requests called load_model() {loads.count} times"
    versions = {a.get("model") for a in answers}
    assert versions == {"test-model-1"}, (
        f"the answers name the model(s) {versions}, not the one load_model() returned at startup"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The answer is {'text': text, 'label': model.predict(text), 'model': model.version, "
    "'cached': ...}, with the model from request.state.model."
)
def test_predict_answers_the_models_label(main, loads):
    with running(main.app) as client:
        body = answer(client, "what a good day")
        neutral = answer(client, "a plain sentence")
        no_text = client.get("/predict", headers={"X-API-Key": SECRET})
    assert body == {
        "text": "what a good day",
        "label": "positive",
        "model": "test-model-1",
        "cached": False,
    }, f"GET /predict?text=what a good day answered {body}"
    assert neutral.get("label") == "neutral", f"a text without known words got {neutral}"
    assert "what a good day" in loads.models[0].predicted, (
        "the label did not come from the model that load_model() returned"
    )
    assert no_text.status_code == 422, f"GET /predict without text answered {no_text.status_code}"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Each start of the app runs the lifespan again: a new load_model() and a new state. A model "
    "kept in a global, or loaded at import, survives from one run to the next."
)
def test_each_start_loads_its_own_model(main, loads):
    with running(main.app) as client:
        first = answer(client, "great day")
    with running(main.app) as client:
        second = answer(client, "great day")
    assert loads.count == 2, f"two runs of the app called load_model() {loads.count} time(s)"
    assert (first.get("model"), second.get("model")) == ("test-model-1", "test-model-2"), (
        f"the two runs answered with the models {first.get('model')!r} and "
        f"{second.get('model')!r}, expected each run's own model"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    "The lifespan yields the state as a dict: `yield {'model': model, 'cache': cache}`. "
    "Starlette copies its keys into every request's request.state."
)
def test_the_lifespan_yields_the_model_and_the_cache(main, loads):
    state = enter_lifespan(main.app)
    assert isinstance(state, dict), f"the lifespan yielded {state!r}, not a dict"
    assert loads.count == 1, f"entering the lifespan called load_model() {loads.count} time(s)"
    assert state.get("model") is loads.models[0], (
        f"the state's 'model' is {state.get('model')!r}, not the model load_model() returned"
    )
    expected = {text: WORDS.get(text, "neutral") for text in main.WARMUP_TEXTS}
    assert state.get("cache") == expected, (
        f"the state's 'cache' is {state.get('cache')!r}, expected {expected}"
    )


@pytest.mark.task(2)
@pytest.mark.hint("Don't call load_model() at module level: only the lifespan calls it.")
def test_importing_main_loads_no_model(learner):
    fresh = import_main(learner, fresh=True)
    held = sorted(name for name, value in vars(fresh).items() if isinstance(value, fresh.Model))
    assert not held, f"right after importing main.py, {held} already hold(s) a Model"


# --- Task 3: the cache ------------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "At startup, after load_model(): `cache = {text: model.predict(text) for text in "
    "WARMUP_TEXTS}`, yielded as state['cache']. The route answers a text found in "
    "request.state.cache from it, with cached true, without calling predict."
)
def test_warm_up_texts_are_answered_from_the_cache(main, loads):
    warmup = list(main.WARMUP_TEXTS)
    with running(main.app) as client:
        model = loads.models[0] if loads.models else None
        at_startup = list(model.predicted) if model else []
        answers = [answer(client, text) for text in warmup]
        after = list(model.predicted) if model else []
    assert sorted(at_startup) == sorted(warmup), (
        f"before the first request, the model had predicted {at_startup}, expected the warm-up "
        f"texts {warmup}"
    )
    assert all(a.get("cached") is True for a in answers), (
        f"the warm-up texts answered {answers}: each should be cached"
    )
    labels = [a.get("label") for a in answers]
    assert labels == [WORDS.get(text, "neutral") for text in warmup], (
        f"the warm-up texts got the labels {labels}"
    )
    assert after == at_startup, (
        f"answering the warm-up texts called predict again: {after[len(at_startup) :]}"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "A text missing from the cache is predicted, stored in request.state.cache (the dict is "
    "shared by the requests of one run) and answered with cached false; the next time it is "
    "found there."
)
def test_a_new_text_is_cached_after_its_first_request(main, loads):
    with running(main.app) as client:
        first = answer(client, "bad news")
        second = answer(client, "bad news")
    assert (first.get("cached"), second.get("cached")) == (False, True), (
        f"asking twice for 'bad news' answered cached={first.get('cached')!r} then "
        f"{second.get('cached')!r}, expected False then True"
    )
    assert first.get("label") == second.get("label") == "negative", (
        f"'bad news' got the labels {first.get('label')!r} and {second.get('label')!r}"
    )
    calls = loads.models[0].predicted.count("bad news")
    assert calls == 1, f"two requests for 'bad news' called predict {calls} time(s), expected 1"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Build the cache dict inside the lifespan, on every start: `cache = {...}` there, not a "
    "module-level dict that the lifespan fills. A dict shared by the runs carries one run's "
    "answers (from its model) into the next."
)
def test_each_start_gets_a_fresh_cache(main, loads):
    text = "bad news from the first run"
    with running(main.app) as client:
        answer(client, text)
        in_run_one = answer(client, text)
    with running(main.app) as client:
        in_run_two = answer(client, text)
    assert in_run_one.get("cached") is True, (
        f"asking twice for {text!r} in one run answered cached={in_run_one.get('cached')!r} "
        "the second time, expected True"
    )
    assert loads.count == 2, f"two runs of the app called load_model() {loads.count} time(s)"
    assert in_run_two.get("cached") is False, (
        f"the app was stopped and started again, and the second run answered {text!r} (asked "
        "only in the first run) with cached=True: the second run's cache still holds the first "
        "run's entries"
    )
    assert text in loads.models[1].predicted, (
        f"the second run answered {text!r} without asking its own model"
    )
    state = enter_lifespan(main.app)
    cache = state.get("cache") if isinstance(state, dict) else None
    expected = {warm: WORDS.get(warm, "neutral") for warm in main.WARMUP_TEXTS}
    assert cache == expected, (
        f"a third start of the app yielded the cache {cache!r}, expected only the warm-up texts "
        f"{expected}"
    )


# --- Task 4: close the model, whatever happens ------------------------------------------------


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint("After the yield (in a `finally`), call `model.close()`.")
def test_the_model_is_closed_when_the_app_stops(main, loads):
    with running(main.app) as client:
        answer(client, "good")
        closes_during_run = loads.models[0].closes if loads.models else None
    assert closes_during_run == 0, "the model was closed while the app was still running"
    assert loads.models[0].closes >= 1, "the app stopped, and model.close() was never called"


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Open a `try:` right after load_model(), around the warm-up and the yield, and close the "
    "model in its `finally:`. A warm-up that raises outside the `try` leaves the model open."
)
def test_a_failed_warm_up_closes_the_model_and_fails(main, loads):
    loads.fail_on = main.WARMUP_TEXTS[-1]
    error = startup_error(main.app)
    assert error is not None, "warming the cache raised, and the app started anyway"
    assert loads.count == 1, f"load_model() was called {loads.count} time(s)"
    assert loads.models[0].closes >= 1, (
        f"warming the cache raised ({type(error).__name__}: {error}), and the loaded model was "
        "never closed"
    )


@pytest.mark.task(4)
@pytest.mark.points(2)
@pytest.mark.hint(
    "When the server cancels the lifespan, CancelledError is raised at the `yield`: code after a "
    "bare yield never runs. Close the model in a `finally:`."
)
def test_a_cancelled_lifespan_closes_the_model(main, loads):
    app = main.app

    async def scenario():
        started = asyncio.Event()

        async def serve():
            async with app.router.lifespan_context(app):
                started.set()
                await asyncio.Event().wait()  # the app runs until the server cancels it

        task = asyncio.create_task(serve())
        waiter = asyncio.create_task(started.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return started.is_set()

    assert asyncio.run(scenario()), "the lifespan did not start"
    assert loads.count == 1, f"load_model() was called {loads.count} time(s)"
    assert loads.models[0].closes >= 1, (
        "the lifespan was cancelled while the app was running, and the model was never closed"
    )
