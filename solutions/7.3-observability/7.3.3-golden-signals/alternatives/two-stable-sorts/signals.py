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
    if len(values) == 0:
        return 0.0
    s = sorted(values)
    import math
    from decimal import Decimal

    k = math.ceil(Decimal(str(p)) * len(s) / 100)  # exact: no binary float in the rank
    if k < 1:
        k = 1
    return s[k - 1]


def summarize(records: Iterable[Record], window_s: float) -> Summary:
    """Traffic, errors and latency of the requests answered during window_s seconds."""
    if window_s <= 0:
        raise ValueError("bad window")
    recs = [r for r in records]
    n = len(recs)
    if n == 0:
        return Summary(0.0, 0.0, 0.0, 0.0, 0.0, [])
    errs = len([r for r in recs if 500 <= r.status <= 599])
    all_d = [r.duration_ms for r in recs]
    paths = {}
    for r in recs:
        paths.setdefault(r.path, []).append(r.duration_ms)
    stats = [(path, percentile(ds, 95)) for path, ds in paths.items()]
    stats.sort(key=lambda x: x[0])
    stats.sort(key=lambda x: x[1], reverse=True)
    return Summary(
        n / window_s,
        errs / n,
        percentile(all_d, 50),
        percentile(all_d, 95),
        percentile(all_d, 99),
        stats[:3],
    )


def burn_rate(error_rate: float, slo: float = 0.999) -> float:
    """How many times faster than the SLO allows the error budget is being spent."""
    if slo >= 1 or slo <= 0:
        raise ValueError("slo")
    return error_rate / (1 - slo)
