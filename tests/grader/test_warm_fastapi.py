"""FastAPI's endpoint context from code objects (`grader.warm_fastapi`): the same as FastAPI's."""

import pytest
from fastapi import routing

from grader.warm_fastapi import _from_code, endpoint_context_from_code
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
