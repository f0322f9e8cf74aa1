"""Speed asserted by growth, not by the clock: time at 2n over time at n.

A wall-clock limit fails on a busy machine and passes a quadratic algorithm on a fast one. The ratio of two
timings taken on the same machine moments apart does neither: linear work gives about 2, quadratic about 4.
To stay steady on a busy machine, timings are this process's CPU time (time.process_time: other processes'
load does not count), the two sizes are timed alternately (a burst hits both), the minimum of several runs is
kept, and a ratio over the limit is measured again before failing (a quadratic path fails every time).
"""

from __future__ import annotations

import time
from collections.abc import Callable

LINEAR_RATIO_LIMIT = 3.3
"""Linear work measures ~2 (noise keeps it under 3); quadratic work measures ~4."""
MIN_TIMED_S = 0.03
"""Below this a timing is mostly interpreter noise, so the input grows until the smaller run takes this long."""
ATTEMPTS = 3


def _timed(run: Callable[[], object]) -> float:
    started = time.process_time()
    run()
    return time.process_time() - started


def growth_ratio(
    func: Callable[[str], object], make_input: Callable[[int], str], n: int, repeats: int = 3, max_n: int = 4_000_000
) -> float:
    """min CPU time of func(make_input(2n)) over that of func(make_input(n)), n doubled until measurable."""
    func(make_input(n))  # warm caches and imports before timing
    while n < max_n and _timed(lambda: func(make_input(n))) < MIN_TIMED_S:
        n *= 2
    small, large = make_input(n), make_input(2 * n)
    small_times, large_times = [], []
    for _ in range(repeats):
        small_times.append(_timed(lambda: func(small)))
        large_times.append(_timed(lambda: func(large)))
    return min(large_times) / max(min(small_times), 1e-6)


def assert_linear(func: Callable[[str], object], make_input: Callable[[int], str], n: int, label: str = "") -> None:
    """Fail when doubling the input more than ~triples the time in each of ATTEMPTS measurements."""
    ratios = []
    for _ in range(ATTEMPTS):
        ratios.append(growth_ratio(func, make_input, n))
        if ratios[-1] < LINEAR_RATIO_LIMIT:
            return
    raise AssertionError(
        f"{label or getattr(func, '__name__', 'func')}: time grew {min(ratios):.1f}x when the input doubled "
        f"(ratios {', '.join(f'{r:.1f}' for r in ratios)}; linear is ~2, quadratic ~4)"
    )
