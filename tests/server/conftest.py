"""A course server on a small gradebook of the fixture catalog, and ways to sign in to it."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from grader.gradebook import Gradebook
from grader.server import ServerSettings, create_app
from grader.server.submit import Grader
from tests.conftest import FIXTURE_CATALOG, adder_result

PASSWORD = "correct horse battery staple"
SOLUTION = FIXTURE_CATALOG / "solutions/9.1-fixture-topic/9.1.1-adder/calc.py"
META = {"version": "t", "sandbox": "bwrap", "image_digest": None, "duration": 1.0}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: TestClient, password: str = PASSWORD):
    form = client.get("/login")
    return client.post(
        "/login",
        data={"password": password, "csrf": csrf_of(form.text), "next": "/"},
        follow_redirects=False,
    )


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def adder_zip(source: bytes | None = None) -> bytes:
    return zip_of({"9.1.1-adder/calc.py": source or SOLUTION.read_bytes()})


def seeded_gradebook(path: Path) -> str:
    """Ada (full marks, a flagged run), Grace (failing the test), and Linus (not handed in)."""
    url = f"sqlite:///{path}"
    book = Gradebook(url)
    book.record("Ada Lovelace", "h1", "/subs/Ada", "s", [adder_result(8)], **META)
    book.record(
        "Grace Hopper", "h2", "/subs/Grace", "s",
        [adder_result(0, message="assert 1 == 3")], **META,
    )  # fmt: skip
    book.set_state("Linus", "problem", "unreadable zip")
    return url


class NoGrading(Grader):
    """A grader that must not be reached (tests of the rules before grading)."""

    def grade(self, student, archive, exercises):  # noqa: ANN001
        raise AssertionError("graded although the request should have been refused")


@pytest.fixture(scope="session")
def seeded(tmp_path_factory) -> Path:
    """The seeded gradebook, made once; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("seeded") / "gradebook.db"
    seeded_gradebook(path)
    return path


@pytest.fixture
def settings(tmp_path, catalog, seeded) -> ServerSettings:
    shutil.copy(seeded, tmp_path / "gradebook.db")
    return ServerSettings(
        db=f"sqlite:///{tmp_path / 'gradebook.db'}",
        teacher_password=PASSWORD,
        catalog=catalog,
        sandbox="bwrap",
        jobs=1,
        max_upload=64 << 10,
        submits_per_window=2,
        window=60.0,
    )


@pytest.fixture
def client(settings) -> TestClient:
    book = Gradebook(settings.db)
    return TestClient(create_app(settings, NoGrading(book, lambda slot: None, 1)))


@pytest.fixture
def teacher(client) -> TestClient:
    assert sign_in(client).status_code == 303
    return client
