"""What the warm parent makes cheaper in FastAPI and pydantic (`grader.warm_libraries`) gives
the same results."""

import pytest
from fastapi import routing

from grader.warm_libraries import (
    _from_code,
    email_validator_version_once,
    endpoint_context_from_code,
)
from tests.grader import endpoints_sample as sample

READ_FROM_CODE = ("plain", "decorated", "sync", "short")
LEFT_TO_FASTAPI = ("instance", "Callable", "partial")


@pytest.mark.parametrize("name", READ_FROM_CODE + LEFT_TO_FASTAPI)
def test_the_context_is_fastapi_s_own_or_left_to_fastapi(name):
    endpoint = getattr(sample, name)
    fastapi_s = dict(routing._extract_endpoint_context(endpoint))
    from_code = _from_code(endpoint)
    if name in READ_FROM_CODE:
        assert from_code == fastapi_s and fastapi_s["file"] == sample.__file__
    else:
        assert from_code is None


def test_installed_it_answers_every_endpoint_and_caches_as_fastapi_does(monkeypatch):
    monkeypatch.setattr(routing, "_extract_endpoint_context", routing._extract_endpoint_context)
    monkeypatch.setattr(routing, "_endpoint_context_cache", {})
    expected = {
        name: dict(routing._extract_endpoint_context(getattr(sample, name)))
        for name in READ_FROM_CODE + LEFT_TO_FASTAPI
    }
    routing._endpoint_context_cache.clear()
    endpoint_context_from_code()
    for name, context in expected.items():
        assert routing._extract_endpoint_context(getattr(sample, name)) == context
        assert id(getattr(sample, name)) in routing._endpoint_context_cache


def test_pydantic_asks_the_email_validator_s_version_once(monkeypatch):
    from pydantic import BaseModel, EmailStr, ValidationError, networks

    asked = []

    def version(name):
        asked.append(name)
        return "2.2.0"

    monkeypatch.setattr(networks, "version", version)
    email_validator_version_once()
    for _ in range(3):

        class Signup(BaseModel):
            email: EmailStr

    assert asked == ["email-validator"]
    assert Signup(email="ada@example.com").email == "ada@example.com"
    with pytest.raises(ValidationError):
        Signup(email="not an address")
