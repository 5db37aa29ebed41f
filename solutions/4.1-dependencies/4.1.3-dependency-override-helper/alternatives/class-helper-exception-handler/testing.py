"""Helpers for tests of the app."""

from typing import Any

from fastapi import FastAPI

_NOTHING = object()


class overrides:
    """`with overrides(app, {dep: fake}):` replaces dependencies for the block only."""

    def __init__(self, app: FastAPI, mapping: dict) -> None:
        self.app = app
        self.mapping = dict(mapping)
        self.previous: dict[Any, Any] = {}

    def __enter__(self) -> "overrides":
        table = self.app.dependency_overrides
        self.previous = {dep: table.get(dep, _NOTHING) for dep in self.mapping}
        table.update(self.mapping)
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        table = self.app.dependency_overrides
        for dep, old in self.previous.items():
            if old is _NOTHING:
                table.pop(dep, None)
            else:
                table[dep] = old
        return False  # never swallow the exception
