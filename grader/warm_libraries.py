"""Work that FastAPI and pydantic repeat in every child on a freshly imported app, made cheaper
in the warm parent, with the same results (stdlib only at import time)."""

from __future__ import annotations

import functools
import inspect
import linecache
import re
import types

# what `inspect.findsource` accepts as the first line of a function's source
_DEFINITION = re.compile(r"^(\s*def\s)|(\s*async\s+def\s)|(.*(?<!\w)lambda(:|\s))|^(\s*@)")


def endpoint_context_from_code() -> None:
    """At an endpoint's first request FastAPI reads its source (`inspect.getsourcelines`:
    the file, a tokenizer built for it, the function's lines tokenized) only to name the file
    and line in error messages. Every child imports the learner's app afresh, so it paid that
    for each endpoint (~4 ms, half of it the tokenizer). A plain function's code object holds
    the same line; anything else is left to FastAPI."""
    try:
        from fastapi import routing

        original = routing._extract_endpoint_context
        cache = routing._endpoint_context_cache
    except (ImportError, AttributeError):  # another FastAPI: nothing to speed up
        return

    def extract(func):  # noqa: ANN001, ANN202 - FastAPI's own signature
        if id(func) not in cache:
            context = _from_code(func)
            if context is None:
                return original(func)
            cache[id(func)] = context
        return cache[id(func)]

    routing._extract_endpoint_context = extract


def _from_code(func: object) -> dict | None:
    """FastAPI's endpoint context as `getsourcefile` and `getsourcelines` would give it, or
    None where that takes more than a code object's first line."""
    try:
        inner = inspect.unwrap(func)  # type: ignore[arg-type]
        if not isinstance(inner, types.FunctionType):
            return None
        source_file = inspect.getsourcefile(func)  # type: ignore[arg-type]
        inner_file = inspect.getsourcefile(inner)
    except Exception:
        return None
    if source_file is None or inner_file is None:
        return None
    lines = linecache.getlines(inner_file, inner.__globals__)
    first = inner.__code__.co_firstlineno
    if not 0 < first <= len(lines) or not _DEFINITION.match(lines[first - 1]):
        return None
    context = {"file": source_file, "line": first}
    name = getattr(func, "__name__", None)
    return context if name is None else {**context, "function": name}


def email_validator_version_once() -> None:
    """pydantic checks the installed email-validator's version (`importlib.metadata.version`,
    a search of every folder on the path, ~0.9 ms) each time it builds a model with an
    `EmailStr`: in a suite that imports the learner's models afresh per test, over a tenth of
    its run. The installed packages do not change while a sandbox runs: it is asked once."""
    try:
        from pydantic import networks
    except ImportError:
        return
    if hasattr(networks, "version"):
        networks.version = functools.cache(networks.version)
