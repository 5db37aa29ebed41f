"""Golden signals in one pass over the records, with integer rank arithmetic and heapq."""

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal


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
    n = len(values)
    if n == 0:
        return 0.0
    # ceil(p * n / 100) in integers: p as the decimal it is written as, numerator/denominator.
    num, den = Decimal(str(p)).as_integer_ratio()
    k = -(-num * n // (den * 100))
    return float(sorted(values)[max(k, 1) - 1])


def summarize(records: Iterable[Record], window_s: float) -> Summary:
    if not window_s > 0:
        raise ValueError(f"window_s must be > 0, got {window_s}")
    total = failed = 0
    durations: list[float] = []
    per_path: dict[str, list[float]] = {}
    for record in records:
        total += 1
        failed += 500 <= record.status
        durations.append(record.duration_ms)
        per_path.setdefault(record.path, []).append(record.duration_ms)
    if total == 0:
        return Summary(0.0, 0.0, 0.0, 0.0, 0.0, [])
    p95_by_path = [(path, percentile(d, 95)) for path, d in per_path.items()]
    top = heapq.nsmallest(3, p95_by_path, key=lambda pair: (-pair[1], pair[0]))
    return Summary(
        rps=total / window_s,
        error_rate=failed / total,
        p50=percentile(durations, 50),
        p95=percentile(durations, 95),
        p99=percentile(durations, 99),
        slowest_paths=[[path, value] for path, value in top],
    )


def burn_rate(error_rate: float, slo: float = 0.999) -> float:
    if slo <= 0 or slo >= 1:
        raise ValueError(f"slo must be strictly between 0 and 1, got {slo}")
    budget = 1 - slo
    return error_rate / budget
