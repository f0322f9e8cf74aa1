"""Speed asserted by growth, not by the clock: time at 2n over time at n.

A wall-clock limit fails on a busy machine and passes a quadratic algorithm on a fast one. The ratio of two
timings taken on the same machine moments apart does neither: linear work gives about 2, quadratic about 4.
Each size is timed a few times and the minimum kept, so a burst of load from another process does not count.
"""

from __future__ import annotations

import time
from collections.abc import Callable

LINEAR_RATIO_LIMIT = 3.3
"""Linear work measures ~2 (the noise floor stays below 3); quadratic work measures ~4."""


def best_time(run: Callable[[], object], repeats: int = 3) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return min(timings)


MIN_TIMED_S = 0.03
"""Below this a timing is mostly interpreter noise, so the input grows until the smaller run takes this long."""


def growth_ratio(
    func: Callable[[str], object], make_input: Callable[[int], str], n: int, repeats: int = 3, max_n: int = 4_000_000
) -> float:
    """min time of func(make_input(2n)) over min time of func(make_input(n)), n doubled until measurable."""
    func(make_input(n))  # warm caches and imports before timing
    while n < max_n and best_time(lambda: func(make_input(n)), 1) < MIN_TIMED_S:
        n *= 2
    small, large = make_input(n), make_input(2 * n)
    return best_time(lambda: func(large), repeats) / max(best_time(lambda: func(small), repeats), 1e-6)


def assert_linear(func: Callable[[str], object], make_input: Callable[[int], str], n: int, label: str = "") -> None:
    """Fail when doubling the input more than ~triples the time; re-measure once before failing (load spikes)."""
    ratio = growth_ratio(func, make_input, n)
    if ratio >= LINEAR_RATIO_LIMIT:
        ratio = min(ratio, growth_ratio(func, make_input, n, repeats=5))
    assert ratio < LINEAR_RATIO_LIMIT, f"{label or func.__name__}: time grew {ratio:.1f}x when the input doubled"
