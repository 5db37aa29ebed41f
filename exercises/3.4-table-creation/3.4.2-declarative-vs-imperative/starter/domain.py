"""The domain model: plain Python, no persistence concerns and no SQLAlchemy import."""


# TODO: Task 2 - a plain class ImpBook (no base class, no SQLAlchemy import in this file):
#   ImpBook(title=..., author=..., published_year=None) stores the three values as attributes.
class ImpBook:
    pass
