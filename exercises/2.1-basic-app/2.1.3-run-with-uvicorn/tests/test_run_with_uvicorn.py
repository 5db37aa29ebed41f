import os
import runpy
import subprocess
import sys

import pytest
import uvicorn
from uvicorn.importer import ImportFromStringError, import_from_string


class FakeUvicorn:
    """Stands in for uvicorn.run: records each call instead of starting a server."""

    def __init__(self):
        self.calls = []

    def run(self, app, **kwargs):
        self.calls.append((app, kwargs))

    def only_call(self, what):
        assert self.calls, f"{what} never called uvicorn.run"
        assert len(self.calls) == 1, (
            f"{what} called uvicorn.run {len(self.calls)} times (did importing run.py call it "
            f"too?): {self.calls}"
        )
        return self.calls[0]


def no_process(name):
    def refuse(*args, **kwargs):
        raise AssertionError(
            f"run.py started a process with {name}({args[0] if args else ''!r}): "
            "call uvicorn.run(...) in this process instead"
        )

    return refuse


@pytest.fixture(autouse=True)
def fake_uvicorn(monkeypatch):
    fake = FakeUvicorn()
    # Both spellings the prompt allows: uvicorn.run and `from uvicorn import run` (patched
    # before run.py is imported), plus uvicorn.main.run. No real server can ever start.
    monkeypatch.setattr(uvicorn, "run", fake.run)
    monkeypatch.setattr(sys.modules["uvicorn.main"], "run", fake.run)
    for name in ("system", "execv", "execve", "posix_spawn", "posix_spawnp"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, no_process(f"os.{name}"))
    monkeypatch.setattr(subprocess, "Popen", no_process("subprocess"))
    monkeypatch.delenv("APP_HOST", raising=False)
    monkeypatch.delenv("APP_PORT", raising=False)
    monkeypatch.setattr(sys, "argv", ["run.py"])
    return fake


@pytest.fixture
def load(learner):
    """Import run.py afresh; call it after setting the environment and sys.argv."""
    return lambda: learner.require("run", "parse_args", "main", fresh=True)


def exit_code(function, argv):
    """Call function(argv), expecting an argparse-style exit; return the exit code."""
    what = f"{getattr(function, '__name__', 'run')}({argv!r})"
    try:
        result = function(argv)
    except SystemExit as exc:
        return exc.code
    except Exception as exc:  # shown to the learner
        pytest.fail(
            f"{what} raised {type(exc).__name__}: {exc} instead of exiting with a usage error "
            "(raise argparse.ArgumentTypeError in the type= function, or call parser.error)"
        )
    pytest.fail(f"{what} returned {result!r} instead of exiting with a usage error")


def resolve(app):
    try:
        return import_from_string(app)
    except ImportFromStringError as exc:
        pytest.fail(f"uvicorn.run got app={app!r}, which uvicorn cannot import: {exc}")


def check_options(args, host, port, reload):
    assert args.host == host, f"host is {args.host!r}, expected {host!r}"
    assert isinstance(args.port, int), (
        f"port is {args.port!r} ({type(args.port).__name__}), expected the int {port}"
    )
    assert args.port == port, f"port is {args.port!r}, expected {port}"
    assert args.reload is reload, f"reload is {args.reload!r}, expected {reload}"


def check_run_call(call, learner, host, port, reload):
    app, kwargs = call
    assert resolve(app) is learner.require("main", "app").app, (
        f"uvicorn.run got app={app!r}; expected the import string 'main:app'"
    )
    assert kwargs.get("host") == host, f"uvicorn.run got host={kwargs.get('host')!r}, not {host!r}"
    got_port = kwargs.get("port")
    assert isinstance(got_port, int) and got_port == port, (
        f"uvicorn.run got port={got_port!r}, not the int {port}"
    )
    assert bool(kwargs.get("reload", False)) is reload, (
        f"uvicorn.run got reload={kwargs.get('reload', False)!r}, not {reload}"
    )


# Task 1 ---------------------------------------------------------------------------------------


@pytest.mark.task(1)
def test_defaults_without_environment(load):
    check_options(load().parse_args([]), "127.0.0.1", 8000, False)


@pytest.mark.task(1)
def test_command_line_options(load):
    args = load().parse_args(["--host", "0.0.0.0", "--port", "9000", "--reload"])
    check_options(args, "0.0.0.0", 9000, True)


@pytest.mark.task(1)
@pytest.mark.parametrize("port", [1, 443, 65535])
def test_ports_in_range_are_accepted(load, port):
    args = load().parse_args(["--port", str(port)])
    check_options(args, "127.0.0.1", port, False)


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Validate --port in its type= function: int() it, and raise argparse.ArgumentTypeError "
    "for anything outside 1-65535 (argparse then exits with status 2)."
)
@pytest.mark.parametrize("value", ["0", "65536", "70000", "-1", "abc", "80.5", ""])
def test_bad_port_is_a_usage_error(load, value):
    code = exit_code(load().parse_args, [f"--port={value}"])
    assert code not in (0, None), f"--port={value} exited with code {code!r}, not an error"


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Read the defaults with os.environ.get('APP_HOST', '127.0.0.1') and "
    "os.environ.get('APP_PORT', '8000'), and return the port as an int."
)
def test_environment_supplies_defaults(load, monkeypatch):
    monkeypatch.setenv("APP_HOST", "0.0.0.0")
    monkeypatch.setenv("APP_PORT", "5000")
    check_options(load().parse_args([]), "0.0.0.0", 5000, False)


@pytest.mark.task(1)
def test_command_line_overrides_environment(load, monkeypatch):
    monkeypatch.setenv("APP_HOST", "0.0.0.0")
    monkeypatch.setenv("APP_PORT", "5000")
    args = load().parse_args(["--host", "10.0.0.5", "--port", "9001"])
    check_options(args, "10.0.0.5", 9001, False)


@pytest.mark.task(1)
@pytest.mark.hint(
    "A bad APP_PORT must fail like a bad --port. Keep the env default a string "
    "(default=os.environ.get('APP_PORT', '8000')): argparse runs string defaults through type=."
)
@pytest.mark.parametrize("value", ["abc", "70000", "0"])
def test_bad_port_in_environment_is_a_usage_error(load, monkeypatch, value):
    monkeypatch.setenv("APP_PORT", value)
    code = exit_code(load().parse_args, [])
    assert code not in (0, None), f"APP_PORT={value} exited with code {code!r}, not an error"


@pytest.mark.task(1)
@pytest.mark.hint("Pass argv straight to parser.parse_args(argv): None means sys.argv[1:].")
def test_parse_args_reads_sys_argv_by_default(load, monkeypatch):
    module = load()
    monkeypatch.setattr(sys, "argv", ["run.py", "--port", "9100", "--reload"])
    check_options(module.parse_args(), "127.0.0.1", 9100, True)


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.hint(
    "Call os.environ.get(...) inside parse_args (for example in the add_argument defaults), "
    "not in a module-level constant computed once at import."
)
def test_environment_is_read_when_parse_args_is_called(load, monkeypatch):
    module = load()  # imported with neither APP_HOST nor APP_PORT set
    monkeypatch.setenv("APP_HOST", "10.1.2.3")
    monkeypatch.setenv("APP_PORT", "6000")
    check_options(module.parse_args([]), "10.1.2.3", 6000, False)
    monkeypatch.setenv("APP_PORT", "6001")
    args = module.parse_args([])
    assert args.port == 6001, (
        f"APP_PORT changed from 6000 to 6001 after import, but parse_args([]) gave port "
        f"{args.port!r}"
    )


# Task 2 ---------------------------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_main_passes_the_options_to_uvicorn_run(load, learner, fake_uvicorn):
    load().main(["--host", "0.0.0.0", "--port", "9000"])
    call = fake_uvicorn.only_call("main(['--host', '0.0.0.0', '--port', '9000'])")
    check_run_call(call, learner, "0.0.0.0", 9000, False)


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.hint("Pass host=args.host and port=args.port to uvicorn.run, never literals.")
def test_main_uses_the_environment(load, learner, fake_uvicorn, monkeypatch):
    monkeypatch.setenv("APP_HOST", "192.168.1.20")
    monkeypatch.setenv("APP_PORT", "5050")
    load().main([])
    call = fake_uvicorn.only_call("main([]) with APP_HOST and APP_PORT set")
    check_run_call(call, learner, "192.168.1.20", 5050, False)


@pytest.mark.task(2)
@pytest.mark.hint(
    "With reload, uvicorn needs the app as an import string: uvicorn.run('main:app', ...), "
    "not the app object."
)
def test_main_with_reload_passes_an_import_string(load, learner, fake_uvicorn):
    load().main(["--reload", "--port", "8001"])
    call = fake_uvicorn.only_call("main(['--reload', '--port', '8001'])")
    app = call[0]
    assert isinstance(app, str), (
        f"with --reload, uvicorn.run got app={app!r}; the reloader needs the string 'main:app'"
    )
    check_run_call(call, learner, "127.0.0.1", 8001, True)


@pytest.mark.task(2)
def test_main_reads_sys_argv_by_default(load, learner, fake_uvicorn, monkeypatch):
    module = load()
    monkeypatch.setattr(sys, "argv", ["run.py", "--port", "9200"])
    module.main()
    call = fake_uvicorn.only_call("main() with sys.argv = ['run.py', '--port', '9200']")
    check_run_call(call, learner, "127.0.0.1", 9200, False)


@pytest.mark.task(2)
def test_main_with_bad_port_exits_without_starting(load, fake_uvicorn):
    code = exit_code(load().main, ["--port", "abc"])
    assert code not in (0, None), f"main(['--port', 'abc']) exited with code {code!r}"
    assert not fake_uvicorn.calls, "main(['--port', 'abc']) called uvicorn.run anyway"


# Task 3 ---------------------------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.hint(
    'Nothing may run at import: put main() under `if __name__ == "__main__":`. '
    "Only calling main() starts the server."
)
def test_importing_run_starts_nothing(load, learner, fake_uvicorn):
    module = load()
    assert not fake_uvicorn.calls, f"importing run called uvicorn.run: {fake_uvicorn.calls}"
    module.main(["--port", "9300"])
    call = fake_uvicorn.only_call("importing run, then main(['--port', '9300'])")
    check_run_call(call, learner, "127.0.0.1", 9300, False)


@pytest.mark.task(3)
@pytest.mark.hint(
    "Parse only inside parse_args()/main(): a module-level `args = parse_args()` runs on every "
    "import, with whatever sys.argv the importing program has."
)
def test_importing_run_parses_no_arguments(learner, fake_uvicorn, monkeypatch):
    argv = ["pytest", "--port", "not-a-port", "--no-such-option"]
    monkeypatch.setattr(sys, "argv", argv)
    try:
        learner.fresh("run")
    except Exception as exc:  # the loader reports a SystemExit at import as an error
        pytest.fail(f"importing run with sys.argv = {argv} failed: {exc}")
    assert not fake_uvicorn.calls, f"importing run called uvicorn.run: {fake_uvicorn.calls}"


@pytest.mark.task(3)
@pytest.mark.hint('End run.py with `if __name__ == "__main__": main()`.')
def test_running_as_a_script_starts_uvicorn(load, learner, fake_uvicorn, monkeypatch):
    load()  # puts the submission folder on sys.path, as `python run.py` would
    monkeypatch.setattr(sys, "argv", ["run.py", "--port", "9400"])
    try:
        runpy.run_path(str(learner.path("run.py")), run_name="__main__")
    except SystemExit as exc:  # `sys.exit(main())` is a fine way to end a script
        assert exc.code in (0, None), f"python run.py --port 9400 exited with code {exc.code!r}"
    call = fake_uvicorn.only_call("python run.py --port 9400")
    check_run_call(call, learner, "127.0.0.1", 9400, False)
