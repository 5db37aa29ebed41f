"""Hidden tests for 6.1.3: choosing uvloop explicitly, a uvicorn.Config that names the choice,
and running a coroutine on a uvloop.Loop through a loop factory.

server.py is re-imported for every test. A machine without uvloop is `sys.modules["uvloop"] =
None` before the re-import; Windows is `sys.platform = "win32"` before the re-import (and
during the test: on Linux, asyncio's standard loop still works under it). The event loop policy
is saved before each test and put back afterwards, so a learner's uvloop.install() cannot leak
into other tests; the coroutines record the policy they see while they run."""

import asyncio
import importlib.abc
import importlib.machinery
import sys

import pytest
import uvicorn
import uvloop

NAMES = ("app", "choose_loop", "build_config", "run_coroutine")


@pytest.fixture(autouse=True)
def policy():
    """The process-wide event loop policy before the test; restored afterwards."""
    before = asyncio.get_event_loop_policy()
    yield before
    asyncio.set_event_loop_policy(before)


@pytest.fixture
def load(learner):
    return lambda: learner.require("server", *NAMES, fresh=True)


@pytest.fixture
def server(load):
    return load()


@pytest.fixture
def without_uvloop(monkeypatch, load):
    """server.py as imported on a machine where `import uvloop` raises ImportError."""
    monkeypatch.setitem(sys.modules, "uvloop", None)
    return load()


class UvloopFailsToLoad(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """uvloop is installed (a finder finds it) but its compiled extension fails to load:
    `import uvloop` raises a plain ImportError, not the ModuleNotFoundError of a missing
    package."""

    def find_spec(self, name, path=None, target=None):
        if name == "uvloop":
            return importlib.machinery.ModuleSpec(name, self, origin="uvloop/__init__.py")
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        raise ImportError("uvloop/loop.so: undefined symbol (a stand-in for a broken build)")


@pytest.fixture
def uvloop_fails_to_load(monkeypatch, load):
    """server.py as imported where `import uvloop` raises a plain ImportError."""
    for name in [n for n in sys.modules if n == "uvloop" or n.startswith("uvloop.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [UvloopFailsToLoad(), *sys.meta_path])
    return load()


@pytest.fixture
def on_windows(monkeypatch, load):
    """server.py as imported with sys.platform == "win32" (uvloop still importable)."""
    monkeypatch.setattr(sys, "platform", "win32")
    return load()


def loop_name(loop) -> str:
    return f"{type(loop).__module__}.{type(loop).__qualname__}"


class Recorder:
    """Coroutines that record the loop they ran on and the event loop policy they saw."""

    def __init__(self) -> None:
        self.loops: list[asyncio.AbstractEventLoop] = []
        self.policies: list[asyncio.AbstractEventLoopPolicy] = []

    async def add(self, a, b):
        self.loops.append(asyncio.get_running_loop())
        self.policies.append(asyncio.get_event_loop_policy())
        await asyncio.sleep(0)  # one real turn of the loop
        return a + b

    async def fail(self):
        self.loops.append(asyncio.get_running_loop())
        await asyncio.sleep(0)
        raise ValueError("raised inside the coroutine")

    def only_loop(self, what):
        assert len(self.loops) == 1, f"{what}: the coroutine ran {len(self.loops)} times, not once"
        return self.loops[0]


def run(server, coro, what):
    try:
        return server.run_coroutine(coro)
    except NotImplementedError:
        coro.close()
        pytest.fail(f"{what}: run_coroutine raised NotImplementedError")


# --- Task 1: choose_loop ------------------------------------------------------------------


@pytest.mark.task(1)
def test_uvloop_is_chosen_when_it_can_be_imported(server):
    chosen = server.choose_loop()
    assert chosen == "uvloop", (
        f'with uvloop installed on Linux, choose_loop() returned {chosen!r}, not "uvloop"'
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    '`try: import uvloop` / `except ImportError: return "asyncio"`, inside choose_loop (or '
    "around a module-level import): a bare `import uvloop` at the top of server.py stops the "
    "whole server from starting where uvloop is missing."
)
def test_asyncio_is_chosen_when_uvloop_cannot_be_imported(without_uvloop):
    chosen = without_uvloop.choose_loop()
    assert chosen == "asyncio", (
        f"where `import uvloop` raises ImportError, choose_loop() returned {chosen!r}, not "
        '"asyncio"'
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Try the import and catch `ImportError`, not only its subclass `ModuleNotFoundError`: an "
    "installed uvloop whose compiled extension fails to load raises a plain ImportError, and "
    "`importlib.util.find_spec` still finds it."
)
def test_asyncio_is_chosen_when_importing_uvloop_fails(uvloop_fails_to_load):
    try:
        chosen = uvloop_fails_to_load.choose_loop()
    except ImportError as exc:
        pytest.fail(f"where `import uvloop` raises ImportError, choose_loop() raised {exc!r}")
    assert chosen == "asyncio", (
        f"where `import uvloop` raises a plain ImportError, choose_loop() returned {chosen!r}, "
        'not "asyncio"'
    )


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Check `sys.platform == "win32"` first: uvloop has no Windows build, whatever the import says.'
)
def test_asyncio_is_chosen_on_windows(on_windows):
    chosen = on_windows.choose_loop()
    assert chosen == "asyncio", (
        f'with sys.platform == "win32", choose_loop() returned {chosen!r}, not "asyncio"'
    )


@pytest.mark.task(1)
@pytest.mark.hint(
    "Choosing only looks: don't call uvloop.install() or asyncio.set_event_loop_policy(), "
    "neither in choose_loop nor at import."
)
def test_choosing_changes_no_policy(load, policy):
    server = load()
    server.choose_loop()
    now = asyncio.get_event_loop_policy()
    assert now is policy, (
        f"importing server.py and calling choose_loop() replaced the event loop policy "
        f"{type(policy).__name__} with {type(now).__module__}.{type(now).__name__}"
    )


# --- Task 2: build_config -----------------------------------------------------------------


def config_of(server, *args, what="build_config(app)"):
    config = server.build_config(server.app, *args)
    assert isinstance(config, uvicorn.Config), f"{what} returned {config!r}, not a uvicorn.Config"
    return config


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_the_config_serves_the_app_on_the_host_and_port(server):
    config = config_of(server, "0.0.0.0", 9001, what='build_config(app, "0.0.0.0", 9001)')
    got = (config.app is server.app, config.host, config.port, config.loop)
    assert got == (True, "0.0.0.0", 9001, "uvloop"), (
        'build_config(app, "0.0.0.0", 9001) gave a Config with (app is the app, host, port, '
        f'loop) = {got}, not (True, "0.0.0.0", 9001, "uvloop")'
    )


@pytest.mark.task(2)
def test_the_config_defaults_to_localhost_8000(server):
    config = config_of(server)
    got = (config.host, config.port)
    assert got == ("127.0.0.1", 8000), (
        f'build_config(app) gave host and port {got}, not ("127.0.0.1", 8000)'
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Pass `loop=choose_loop()`: uvicorn\'s default, "auto", picks a loop only when the server '
    "starts, so the Config would not say which one."
)
def test_the_config_loop_is_asyncio_without_uvloop(without_uvloop):
    config = config_of(without_uvloop)
    assert config.loop == "asyncio", (
        f"where uvloop cannot be imported, build_config(app) gave loop={config.loop!r}, not "
        '"asyncio"'
    )


@pytest.mark.task(2)
def test_the_config_loop_is_asyncio_on_windows(on_windows):
    config = config_of(on_windows)
    assert config.loop == "asyncio", (
        f'with sys.platform == "win32", build_config(app) gave loop={config.loop!r}, not "asyncio"'
    )


# --- Task 3: run_coroutine ----------------------------------------------------------------


@pytest.mark.task(3)
def test_the_result_is_returned(server):
    recorder = Recorder()
    result = run(server, recorder.add(2, 3), "run_coroutine(add(2, 3))")
    assert result == 5, f"run_coroutine(add(2, 3)) returned {result!r}, not 5"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner: return "
    "runner.run(coro)`, or `return uvloop.run(coro)`. `asyncio.run(coro)` alone creates "
    "asyncio's own loop."
)
def test_the_coroutine_runs_on_a_uvloop_loop(server):
    recorder = Recorder()
    run(server, recorder.add(1, 1), "run_coroutine(...)")
    loop = recorder.only_loop("run_coroutine(...)")
    assert isinstance(loop, uvloop.Loop), (
        f"with uvloop installed, the coroutine ran on a {loop_name(loop)}, not a uvloop.Loop"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Import uvloop only when choose_loop() says "uvloop"; otherwise `asyncio.run(coro)` (or '
    "`asyncio.Runner()` without a factory)."
)
def test_the_coroutine_runs_on_asyncio_without_uvloop(without_uvloop):
    recorder = Recorder()
    result = run(without_uvloop, recorder.add(2, 2), "without uvloop, run_coroutine(...)")
    assert result == 4, f"without uvloop, run_coroutine(add(2, 2)) returned {result!r}"
    loop = recorder.only_loop("without uvloop, run_coroutine(...)")
    assert isinstance(loop, asyncio.BaseEventLoop) and not isinstance(loop, uvloop.Loop), (
        f"without uvloop, the coroutine ran on a {loop_name(loop)}, not asyncio's own loop"
    )
    assert loop.is_closed(), "without uvloop, the loop was still open after run_coroutine"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Ask choose_loop() in run_coroutine too: on Windows it says "asyncio" even where `import '
    "uvloop` would succeed, so trying the import alone is not enough."
)
def test_the_coroutine_runs_on_asyncio_on_windows(on_windows):
    recorder = Recorder()
    what = 'with sys.platform == "win32", run_coroutine(...)'
    result = run(on_windows, recorder.add(3, 3), what)
    assert result == 6, (
        f'with sys.platform == "win32", run_coroutine(add(3, 3)) returned {result!r}'
    )
    loop = recorder.only_loop(what)
    assert isinstance(loop, asyncio.BaseEventLoop) and not isinstance(loop, uvloop.Loop), (
        f'with sys.platform == "win32" (uvloop importable), the coroutine ran on a '
        f"{loop_name(loop)}, not asyncio's own loop"
    )


@pytest.mark.task(3)
@pytest.mark.points(3)
@pytest.mark.hint(
    "uvloop.install() (deprecated) swaps the policy of the whole process. A loop factory "
    "(`asyncio.Runner(loop_factory=uvloop.new_event_loop)` or `uvloop.run`) creates the "
    "uvloop.Loop for this run only."
)
def test_the_event_loop_policy_is_unchanged(server, policy):
    recorder = Recorder()
    run(server, recorder.add(1, 2), "run_coroutine(...)")
    recorder.only_loop("run_coroutine(...)")
    during = recorder.policies[0]
    assert during is policy, (
        f"while the coroutine ran, the event loop policy was a {type(during).__module__}."
        f"{type(during).__name__}, not the {type(policy).__name__} of the process: "
        "run_coroutine changed the process-wide policy for the run (even if it put it back "
        "afterwards)"
    )
    now = asyncio.get_event_loop_policy()
    assert now is policy, (
        f"after run_coroutine, the event loop policy is a {type(now).__module__}."
        f"{type(now).__name__}, not the {type(policy).__name__} it was before"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "`with asyncio.Runner(...) as runner:` closes the loop at the end of the block; a loop from "
    "new_event_loop() that you run yourself needs `loop.close()` in a `finally`."
)
def test_the_loop_is_closed_afterwards(server):
    recorder = Recorder()
    run(server, recorder.add(1, 2), "run_coroutine(...)")
    loop = recorder.only_loop("run_coroutine(...)")
    assert loop.is_closed(), f"the {loop_name(loop)} was still open after run_coroutine returned"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Let the coroutine's exception propagate, and close the loop anyway (a `with` block or "
    "try/finally)."
)
def test_an_exception_propagates_and_the_loop_is_closed(server):
    recorder = Recorder()
    with pytest.raises(ValueError, match="raised inside the coroutine"):
        run(server, recorder.fail(), "run_coroutine(a failing coroutine)")
        pytest.fail("run_coroutine(a coroutine that raises ValueError) raised nothing")
    loop = recorder.only_loop("run_coroutine(a failing coroutine)")
    assert loop.is_closed(), f"after the coroutine raised, the {loop_name(loop)} was still open"


@pytest.mark.task(3)
@pytest.mark.hint("Create the loop inside run_coroutine, once per call, not once at import.")
def test_every_call_gets_a_new_loop(server):
    recorder = Recorder()
    first = run(server, recorder.add(1, 2), "the first run_coroutine(...)")
    second = run(server, recorder.add(3, 4), "the second run_coroutine(...)")
    assert (first, second) == (3, 7), f"two calls of run_coroutine returned {(first, second)}"
    assert len(recorder.loops) == 2 and recorder.loops[0] is not recorder.loops[1], (
        "two calls of run_coroutine ran their coroutines on the same loop"
    )
