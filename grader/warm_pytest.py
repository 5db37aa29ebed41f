"""pytest's start-up, done once in the warm parent and reused by every child it forks (stdlib
only at import time: pytest is imported when the parent prepares it).

Each child of the sandbox runner runs one `pytest.main` on one hidden suite. Most of what
pytest does before the first test is the same in every child: importing and registering its
plugins, and scanning each plugin for fixtures. The parent does that here once.
"""

from __future__ import annotations

import os
import types

# pytest's plugins a hidden suite never needs: each one registered costs every child a scan of
# its namespace for fixtures (~1 ms each); doctest would also collect stray test*.txt files.
UNUSED_PLUGINS = tuple(
    arg
    for name in (
        "cacheprovider",  # writes .pytest_cache; stepwise and --lf need it
        "stepwise",
        "doctest",
        "junitxml",
        "pastebin",
        "setuponly",
        "setupplan",
        "legacypath",  # tmpdir/testdir: the suites use tmp_path
        "faulthandler",  # its dumps would go to /dev/null
    )
    for arg in ("-p", f"no:{name}")
)
PLUGIN_ARGS = ("-p", "grader.pytest_plugin", "-p", "anyio.pytest_plugin", *UNUSED_PLUGINS)


def pytest_args(job_dir: str, tests: str, workdir: str, *, exitfirst: bool) -> list[str]:
    """The child's `pytest.main` arguments: one suite, the grader's plugins, no output."""
    args = [
        tests,
        "-c",
        os.path.join(job_dir, "pytest.ini"),
        "--rootdir",
        tests,
        # collection starts at the suite itself: from the ini file's folder down, pytest made a
        # node for every sibling suite of a batch's job (~30 ms a child for 138 suites)
        "--confcutdir",
        tests,
        *PLUGIN_ARGS,
        "-q",
        "--capture=no",  # learner output goes to /dev/null, never to a buffer or a file
        "--tb=line",  # only the crash line is reported: skip building long tracebacks
        "--submission",
        workdir,
    ]
    return [*args, "--exitfirst"] if exitfirst else args


def prepared_config(*plugin_types: type):  # noqa: ANN201 - a _pytest.config.Config
    """pytest's configuration before it reads any arguments: its default plugins imported and
    registered, the unused ones blocked, the grader's and anyio's registered, their fixtures
    found (`scan_fixtures_once`). The parent makes it once; each child it forks takes it
    instead of making it again (~8 ms of each child's ~45 ms of pytest start-up). None if
    this pytest is not laid out as expected."""
    try:
        from _pytest.config import get_config

        config = get_config(list(PLUGIN_ARGS))
        config.pluginmanager.consider_preparse(list(PLUGIN_ARGS))
        scan_fixtures_once(config, *plugin_types)
        return config
    except Exception:
        return None


def reuse_config(config) -> None:  # noqa: ANN001
    """Let the child's `pytest.main` start from the parent's prepared configuration, with this
    child's arguments and folder, as if `get_config` had just made it."""
    import pathlib

    import _pytest.config

    def get_config(args=None, plugins=None, *, prog=None):  # noqa: ANN001, ANN202
        _pytest.config.get_config = made_afresh  # only `pytest.main`'s own call is served
        config.invocation_params = config.InvocationParams(
            args=args or (), plugins=plugins, dir=pathlib.Path.cwd()
        )
        return config

    made_afresh = _pytest.config.get_config
    _pytest.config.get_config = get_config


def scan_fixtures_once(config, *plugin_types: type) -> None:  # noqa: ANN001 - a pytest Config
    """At each session's start pytest scans every plugin for fixtures: each name of each plugin
    module and of each plugin object's class, with a check for fixtures hidden behind
    decorators (~19 ms of each child). Those modules and classes are the parent's, the same in
    every child, so their fixture names are found here once and pytest's scan then visits only
    them; any other holder (a hidden suite's module or class) is scanned in full, as before.
    `plugin_types`: classes of the plugin objects each session registers anew."""
    import builtins

    from _pytest import fixtures
    from _pytest.compat import safe_getattr

    owners: list[object] = [*plugin_types]
    for plugin in config.pluginmanager.get_plugins():
        if not isinstance(plugin, types.ModuleType):
            owners.append(type(plugin))
            continue
        owners.append(plugin)
        owners += [  # the classes whose objects a session registers (Session, TerminalReporter…)
            value
            for value in vars(plugin).values()
            if isinstance(value, type) and value.__module__ == plugin.__name__
        ]
    found: dict[int, tuple[object, list[str]]] = {}
    for owner in owners:
        names = [
            name
            for name in builtins.dir(owner)
            if type(safe_getattr(owner, name, None)) is fixtures.FixtureFunctionDefinition
        ]
        found[id(owner)] = (owner, names)

    def dir_of_fixtures(*args: object) -> list[str]:
        if len(args) == 1:
            holder = args[0]
            owner = holder if isinstance(holder, (type, types.ModuleType)) else type(holder)
            known = found.get(id(owner))
            if known is not None and known[0] is owner:
                return list(known[1])
        return builtins.dir(*args)

    fixtures.dir = dir_of_fixtures  # the only `dir` in that module: `parsefactories`' scan
