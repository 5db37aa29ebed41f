"""Helpers for tests of the app."""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI


@contextmanager
def overrides(
    app: FastAPI, mapping: Mapping[Callable[..., Any], Callable[..., Any]]
) -> Iterator[None]:
    """Within the block, each dependency of `mapping` is replaced by its value; overrides
    already present stay in force. On exit, whatever happens inside, every dependency of
    `mapping` gets back the override it had before (or none)."""
    current = app.dependency_overrides
    missing = object()
    saved = {dependency: current.get(dependency, missing) for dependency in mapping}
    current.update(mapping)
    try:
        yield
    finally:
        for dependency, previous in saved.items():
            if previous is missing:
                current.pop(dependency, None)
            else:
                current[dependency] = previous
