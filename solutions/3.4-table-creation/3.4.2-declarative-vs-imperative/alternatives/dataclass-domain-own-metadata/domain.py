from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImpBook:
    title: str
    author: str
    published_year: int | None = None
    id: int | None = field(default=None, compare=False)

    def age_in(self, year: int) -> int | None:
        return None if self.published_year is None else year - self.published_year
