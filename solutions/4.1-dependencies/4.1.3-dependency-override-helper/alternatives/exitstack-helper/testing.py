"""Helpers for tests of the app."""

from contextlib import ExitStack, contextmanager


@contextmanager
def overrides(app, mapping):
    """One undo callback per replaced dependency; ExitStack runs them in reverse, even when the
    block raises, and lets the exception through."""
    table = app.dependency_overrides
    with ExitStack() as undo:
        for dependency, replacement in mapping.items():
            if dependency in table:
                undo.callback(table.__setitem__, dependency, table[dependency])
            else:
                undo.callback(table.pop, dependency, None)
            table[dependency] = replacement
        yield table
