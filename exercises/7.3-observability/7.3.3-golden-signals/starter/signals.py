"""Golden signals computed from an access log: traffic, errors, latency, and an error budget's
burn rate."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Record:
    """One answered request."""

    path: str
    status: int
    duration_ms: float


@dataclass
class Summary:
    """The golden signals of one window of requests."""

    rps: float
    error_rate: float
    p50: float
    p95: float
    p99: float
    slowest_paths: list[tuple[str, float]] = field(default_factory=list)


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank percentile p of values (0.0 when there are none)."""
    raise NotImplementedError  # TODO (Task 1)


def summarize(records: Iterable[Record], window_s: float) -> Summary:
    """Traffic, errors and latency of the requests answered during window_s seconds."""
    raise NotImplementedError  # TODO (Task 2)


def burn_rate(error_rate: float, slo: float = 0.999) -> float:
    """How many times faster than the SLO allows the error budget is being spent."""
    raise NotImplementedError  # TODO (Task 3)
