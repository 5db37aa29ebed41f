"""The parent's pytest start-up, reused by each child (`grader.warm_pytest`)."""

import builtins

import _pytest.config
import _pytest.fixtures
import pytest


@pytest.fixture(autouse=True)
def pytest_as_it_was(monkeypatch):
    """What the tests below change in pytest's modules is put back after each."""
    monkeypatch.setattr(_pytest.config, "get_config", _pytest.config.get_config)
    monkeypatch.setattr(_pytest.fixtures, "dir", builtins.dir, raising=False)


def test_a_child_starts_pytest_from_the_prepared_configuration_once(monkeypatch, tmp_path):
    import _pytest.config

    from grader.warm_pytest import PLUGIN_ARGS, prepared_config, reuse_config

    monkeypatch.setattr(_pytest.config, "get_config", _pytest.config.get_config)
    prepared = prepared_config()
    assert prepared is not None
    manager = prepared.pluginmanager
    assert manager.has_plugin("grader.pytest_plugin") and manager.is_blocked("cacheprovider")
    monkeypatch.chdir(tmp_path)
    reuse_config(prepared)
    args = [str(tmp_path), *PLUGIN_ARGS]
    assert _pytest.config.get_config(args) is prepared
    assert prepared.invocation_params.args == tuple(args)
    assert prepared.invocation_params.dir == tmp_path
    assert _pytest.config.get_config(args) is not prepared  # a nested pytest.main: its own


def suite(tmp_path, names=("1.1.1",), module="test_it"):
    """A job's folder with one tiny hidden suite per name, and the staged pytest.ini."""
    from grader.staging import PYTEST_INI

    job = tmp_path / "job"
    for name in names:
        (job / "tests" / name).mkdir(parents=True)
        (job / "tests" / name / f"{module}.py").write_text(
            "import pytest\n\n@pytest.fixture\ndef own():\n    return 1\n\n"
            "def test_it(own, tmp_path, anyio_backend):\n    assert own == 1\n"
        )
    (job / "pytest.ini").write_text(PYTEST_INI)
    (tmp_path / "work").mkdir()
    return job


class Fixtures:
    """The fixtures pytest registered in a session, by name."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.outcomes: list[str] = []

    def pytest_collection_finish(self, session):  # noqa: ANN001
        self.names = sorted(session._fixturemanager._arg2node2fixturedefs)

    def pytest_runtest_logreport(self, report):  # noqa: ANN001
        if report.when == "call":
            self.outcomes.append(report.outcome)


def test_plugins_scanned_once_give_each_session_the_same_fixtures(monkeypatch, tmp_path):
    from grader.warm_pytest import prepared_config, pytest_args

    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # as in the sandbox
    job = suite(tmp_path, module="test_scanned")
    args = pytest_args(
        str(job), str(job / "tests" / "1.1.1"), str(tmp_path / "work"), exitfirst=False
    )
    scanned_in_full = Fixtures()
    assert pytest.main(args, plugins=[scanned_in_full]) == 0
    assert prepared_config() is not None
    # the plugin modules are now scanned for their fixtures' names only
    assert (
        _pytest.fixtures.dir(_pytest.fixtures) == ["fixture", "yield_fixture"]
        or len(_pytest.fixtures.dir(_pytest.fixtures)) < len(builtins.dir(_pytest.fixtures)) / 10
    )
    scanned_once = Fixtures()
    assert pytest.main(args, plugins=[scanned_once]) == 0
    assert scanned_once.outcomes == scanned_in_full.outcomes == ["passed"]
    assert scanned_once.names == scanned_in_full.names
    assert {"own", "tmp_path", "monkeypatch", "anyio_backend", "learner"} <= set(scanned_once.names)


def test_a_child_collects_its_own_suite_without_listing_the_other_suites_of_the_job(
    monkeypatch, tmp_path
):
    from grader.warm_pytest import pytest_args

    job = suite(tmp_path, ("1.1.1", "1.1.2", "1.1.3"), module="test_listed")

    class Seen(Fixtures):
        def __init__(self) -> None:
            super().__init__()
            self.paths: list[str] = []

        def pytest_ignore_collect(self, collection_path):  # noqa: ANN001
            self.paths.append(str(collection_path.relative_to(job)))

    seen = Seen()
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # as in the sandbox
    own = str(job / "tests" / "1.1.2")
    assert (
        pytest.main(
            pytest_args(str(job), own, str(tmp_path / "work"), exitfirst=False), plugins=[seen]
        )
        == 0
    )
    assert seen.outcomes == ["passed"]
    assert seen.paths and all(path.startswith("tests/1.1.2") for path in seen.paths), seen.paths
