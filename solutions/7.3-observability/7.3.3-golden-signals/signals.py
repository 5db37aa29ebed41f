"""Golden signals computed from an access log: traffic, errors, latency, and an error budget's
burn rate."""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction


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
    """The nearest-rank percentile p of values (0.0 when there are none). The rank is computed
    exactly: p as the decimal it is written as (Fraction(str(p))), never through a float."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(Fraction(str(p)) * len(ordered) / 100))
    return float(ordered[rank - 1])


def summarize(records: Iterable[Record], window_s: float) -> Summary:
    """Traffic, errors and latency of the requests answered during window_s seconds."""
    if window_s <= 0:
        raise ValueError("window_s must be positive")
    records = list(records)
    if not records:
        return Summary(rps=0.0, error_rate=0.0, p50=0.0, p95=0.0, p99=0.0, slowest_paths=[])

    durations = [r.duration_ms for r in records]
    errors = sum(1 for r in records if r.status >= 500)
    by_path: dict[str, list[float]] = defaultdict(list)
    for r in records:
        by_path[r.path].append(r.duration_ms)
    ranked = sorted(
        ((path, percentile(d, 95)) for path, d in by_path.items()),
        key=lambda item: (-item[1], item[0]),
    )
    return Summary(
        rps=len(records) / window_s,
        error_rate=errors / len(records),
        p50=percentile(durations, 50),
        p95=percentile(durations, 95),
        p99=percentile(durations, 99),
        slowest_paths=ranked[:3],
    )


def burn_rate(error_rate: float, slo: float = 0.999) -> float:
    """How many times faster than the SLO allows the error budget is being spent."""
    if not 0 < slo < 1:
        raise ValueError("slo must be strictly between 0 and 1")
    return error_rate / (1 - slo)
