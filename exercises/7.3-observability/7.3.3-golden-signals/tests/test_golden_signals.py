"""Hidden tests for 7.3.3: nearest-rank percentiles, the golden-signals summary of a window
(5xx-only error rate, per-path p95 ranking with a tie-break, generators, empty input) and the
burn rate of an error budget."""

import random

import pytest

# (path, status, duration_ms): 20 requests in a 10 s window, in no particular order.
# All durations sorted: 1 2 3 11 12 13 14 15 16 40 80 85 88 90 95 120 200 210 250 300
# -> p50 = 10th = 40, p95 = 19th = 250, p99 = 20th = 300. Errors: 500, 503, 502 -> 3/20.
# Per-path p95: /orders 300, /search 250, /items 90, /health 3.
DATASET = [
    ("/items", 200, 12),
    ("/orders", 200, 120),
    ("/health", 200, 1),
    ("/items", 404, 15),
    ("/search", 200, 200),
    ("/orders", 500, 80),
    ("/items", 200, 11),
    ("/items", 422, 40),
    ("/orders", 200, 95),
    ("/health", 200, 2),
    ("/search", 502, 210),
    ("/items", 200, 13),
    ("/orders", 200, 300),
    ("/items", 200, 14),
    ("/orders", 503, 85),
    ("/health", 200, 3),
    ("/items", 201, 16),
    ("/search", 200, 250),
    ("/orders", 200, 88),
    ("/items", 200, 90),
]


@pytest.fixture
def signals(learner):
    return learner.require("signals", "Record", "Summary", "percentile", "summarize", "burn_rate")


def records(signals, rows):
    return [signals.Record(path=p, status=s, duration_ms=d) for p, s, d in rows]


def pairs(summary):
    return [tuple(item) for item in summary.slowest_paths]


def approx_pairs(expected):
    return [(path, pytest.approx(value, abs=1e-9)) for path, value in expected]


# ---- Task 1: nearest-rank percentiles --------------------------------------------------------


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([10, 20, 30, 40], 50, 20),
        ([10, 20, 30, 40], 95, 40),
        ([10, 20, 30, 40], 25, 10),
        ([40, 10, 30, 20, 50], 50, 30),
        ([7], 99, 7),
    ],
)
def test_percentile_is_the_nearest_rank_value(signals, values, p, expected):
    got = signals.percentile(list(values), p)
    assert got == pytest.approx(expected), f"percentile({values}, {p}) returned {got}"


@pytest.mark.task(1)
def test_percentile_ranks_of_20_and_100_values(signals):
    twenty = list(range(1, 21))
    random.Random(3).shuffle(twenty)
    got = signals.percentile(twenty, 95)
    assert got == 19, f"p95 of the numbers 1..20 (shuffled) returned {got}, not the 19th (19)"
    hundred = list(range(1, 101))
    random.Random(4).shuffle(hundred)
    got = signals.percentile(hundred, 99)
    assert got == 99, f"p99 of the numbers 1..100 (shuffled) returned {got}, not the 99th (99)"
    got = signals.percentile(hundred, 50)
    assert got == 50, f"p50 of the numbers 1..100 (shuffled) returned {got}, not the 50th (50)"


@pytest.mark.task(1)
@pytest.mark.parametrize(("p", "rank"), [(99.9, 999), (57.7, 577), (16.1, 161), (0.1, 1)])
def test_percentile_rank_is_exact_for_a_fractional_p(signals, p, rank):
    # Values 1..1000 shuffled, so the k-th smallest is k. In floating point, 99.9 / 100 * 1000
    # is 999.0000000000001 and 16.1 * 1000 / 100 is 161.00000000000003: their ceiling is one
    # too far. Fraction(99.9) and Fraction(0.1), the floats' binary values, overshoot too.
    thousand = list(range(1, 1001))
    random.Random(5).shuffle(thousand)
    got = signals.percentile(thousand, p)
    assert got == rank, (
        f"p{p} of the numbers 1..1000 (shuffled) returned {got}, not the {rank}th ({rank}): "
        f"the rank ceil({p} x 1000 / 100) is {rank} when computed exactly"
    )


@pytest.mark.task(1)
def test_percentile_of_nothing_is_zero(signals):
    got = signals.percentile([], 95)
    assert got == 0.0, f"percentile([], 95) returned {got!r}"


@pytest.mark.task(1)
def test_percentile_leaves_the_callers_list_unsorted(signals):
    values = [30.0, 10.0, 20.0]
    signals.percentile(values, 50)
    assert values == [30.0, 10.0, 20.0], f"percentile changed the caller's list to {values}"


# ---- Task 2: the summary ---------------------------------------------------------------------


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_summary_of_the_fixed_dataset(signals):
    s = signals.summarize(records(signals, DATASET), 10)
    assert s.rps == pytest.approx(2.0), f"20 requests in 10 s: rps is {s.rps}"
    assert s.p50 == pytest.approx(40), f"p50 is {s.p50}, not 40 (the 10th of 20 durations)"
    assert s.p95 == pytest.approx(250), f"p95 is {s.p95}, not 250 (the 19th of 20 durations)"
    assert s.p99 == pytest.approx(300), f"p99 is {s.p99}, not 300 (the 20th of 20 durations)"
    assert s.error_rate == pytest.approx(0.15), (
        f"3 answers of 20 are 5xx: error_rate is {s.error_rate}"
    )
    expected = [("/orders", 300), ("/search", 250), ("/items", 90)]
    assert pairs(s) == approx_pairs(expected), f"slowest_paths is {s.slowest_paths}"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_summary_percentiles_of_more_than_100_records(signals):
    # 200 durations 1..200 ms, shuffled: p50 = 100th = 100, p95 = 190th = 190,
    # p99 = 198th = 198 (not the largest, 200).
    rows = [("/a", 200, d) for d in range(1, 201)]
    random.Random(11).shuffle(rows)
    s = signals.summarize(records(signals, rows), 10)
    got = (s.p50, s.p95, s.p99)
    assert got == (pytest.approx(100), pytest.approx(190), pytest.approx(198)), (
        f"200 durations 1..200 ms: (p50, p95, p99) is {got}, not (100, 190, 198) "
        "(p99 is the 198th, not the largest)"
    )


@pytest.mark.task(2)
def test_rps_divides_by_the_window(signals):
    s = signals.summarize(records(signals, DATASET), 60)
    assert s.rps == pytest.approx(20 / 60), f"20 requests in 60 s: rps is {s.rps}"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_client_errors_are_not_errors(signals):
    rows = [("/a", 404, 5), ("/a", 422, 5), ("/a", 401, 5), ("/a", 200, 5)]
    s = signals.summarize(records(signals, rows), 1)
    assert s.error_rate == 0.0, f"404, 422, 401 and 200: error_rate is {s.error_rate}"
    rows += [("/a", 500, 5), ("/a", 504, 5), ("/a", 499, 5), ("/a", 200, 5)]
    s = signals.summarize(records(signals, rows), 1)
    assert s.error_rate == pytest.approx(0.25), (
        f"2 answers of 8 are 5xx (500, 504), with 499, 422...: error_rate is {s.error_rate}"
    )


@pytest.mark.task(2)
def test_records_may_be_a_generator(signals):
    made = records(signals, DATASET)
    s = signals.summarize((r for r in made), 10)
    assert (s.rps, s.error_rate, s.p95) == (
        pytest.approx(2.0),
        pytest.approx(0.15),
        pytest.approx(250),
    ), f"from a generator of the 20 records: rps {s.rps}, error_rate {s.error_rate}, p95 {s.p95}"
    assert pairs(s) == approx_pairs([("/orders", 300), ("/search", 250), ("/items", 90)]), (
        f"from a generator: slowest_paths is {s.slowest_paths}"
    )


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_no_records_gives_zeros(signals):
    for given in ([], iter(())):
        s = signals.summarize(given, 60)
        numbers = (s.rps, s.error_rate, s.p50, s.p95, s.p99)
        assert numbers == (0.0, 0.0, 0.0, 0.0, 0.0), f"with no records: {numbers}"
        assert list(s.slowest_paths) == [], f"with no records: slowest_paths is {s.slowest_paths}"


@pytest.mark.task(2)
@pytest.mark.parametrize("window", [0, -5])
def test_a_window_that_is_not_positive_is_refused(signals, window):
    with pytest.raises(ValueError):
        signals.summarize(records(signals, DATASET), window)


@pytest.mark.task(2)
@pytest.mark.parametrize("window", [0, -5])
def test_a_window_that_is_not_positive_is_refused_without_records(signals, window):
    for given, shown in (([], "[]"), (iter(()), "an empty generator")):
        try:
            s = signals.summarize(given, window)
        except ValueError:
            continue
        pytest.fail(f"summarize({shown}, {window}) returned {s} instead of raising ValueError")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_paths_are_ranked_by_their_own_p95(signals):
    # /big: 1..39 and one 1000 ms outlier -> p95 = 38th = 38 (its max is 1000, its mean 44);
    # /mid: 50, 50, 50 -> 50; /low: 10 -> 10; /tiny: 1 -> 1.
    rows = [("/big", 200, d) for d in range(1, 40)] + [("/big", 200, 1000)]
    rows += [("/mid", 200, 50)] * 3 + [("/low", 200, 10), ("/tiny", 200, 1)]
    random.Random(7).shuffle(rows)
    s = signals.summarize(records(signals, rows), 1)
    expected = [("/mid", 50), ("/big", 38), ("/low", 10)]
    assert pairs(s) == approx_pairs(expected), f"slowest_paths is {s.slowest_paths}"


@pytest.mark.task(2)
def test_equal_p95_paths_are_ordered_by_path(signals):
    rows = [("/d", 200, 100), ("/c", 200, 100), ("/b", 200, 100), ("/a", 200, 100), ("/e", 200, 5)]
    s = signals.summarize(records(signals, rows), 1)
    expected = [("/a", 100), ("/b", 100), ("/c", 100)]
    assert pairs(s) == approx_pairs(expected), (
        f"four paths with p95 100 (given /d, /c, /b, /a): slowest_paths is {s.slowest_paths}"
    )


@pytest.mark.task(2)
def test_fewer_than_three_paths(signals):
    s = signals.summarize(records(signals, [("/only", 200, 7), ("/only", 500, 9)]), 1)
    assert pairs(s) == approx_pairs([("/only", 9)]), f"one path: slowest_paths is {s.slowest_paths}"


# ---- Task 3: burn rate -----------------------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.parametrize(
    ("error_rate", "slo", "expected"),
    [(0.002, 0.999, 2.0), (0.05, 0.99, 5.0), (0.0, 0.999, 0.0), (0.01, 0.9, 0.1)],
)
def test_burn_rate_formula(signals, error_rate, slo, expected):
    got = signals.burn_rate(error_rate, slo=slo)
    assert got == pytest.approx(expected), f"burn_rate({error_rate}, slo={slo}) returned {got}"


@pytest.mark.task(3)
def test_burn_rate_default_slo_is_three_nines(signals):
    got = signals.burn_rate(0.0144)
    assert got == pytest.approx(14.4), f"burn_rate(0.0144) returned {got}, not 14.4"


@pytest.mark.task(3)
@pytest.mark.parametrize("slo", [1, 1.5, 0, -0.1])
def test_an_slo_outside_zero_one_is_refused(signals, slo):
    with pytest.raises(ValueError):
        signals.burn_rate(0.01, slo=slo)
