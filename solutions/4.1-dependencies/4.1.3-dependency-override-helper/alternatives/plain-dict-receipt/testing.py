"""Helpers for tests of the app."""

from contextlib import contextmanager


@contextmanager
def overrides(app, mapping):
    table = app.dependency_overrides
    had = {dep: dep in table for dep in mapping}
    old = {dep: table[dep] for dep in mapping if dep in table}
    for dep, fake in mapping.items():
        table[dep] = fake
    try:
        yield app
    finally:
        for dep in mapping:
            if had[dep]:
                table[dep] = old[dep]
            else:
                table.pop(dep, None)
