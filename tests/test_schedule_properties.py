"""A forecast never takes checks away (Hypothesis).

For any sequence of progress reports a platform may send (counts that jump, stall, go back,
vanish, exceed their total, or a total that changes), the Waiter's forecasts are fed the
reports as the wait loop feeds them, and at every moment:
- the pause is at most the one age alone would take (the schedule's own age-only pause);
- once the forecast has expired, or where there is none, it is exactly age alone's;
- it stays within the schedule's bounds (MIN_AIMED_PAUSE to `poll-interval`).

The CI profile (tests/conftest.py) is derandomized with a fixed number of examples.
"""

from __future__ import annotations

from hypothesis import event, given
from hypothesis import strategies as st

from qarun.model import Progress, Run, Status
from qarun.wait import MIN_AIMED_PAUSE, Forecasts, Schedule

# One report: seconds since the last one, the status, and how the count moved (None: no
# progress fields), against a total that may change (None: the same).
reports = st.lists(
    st.tuples(
        st.floats(min_value=0.05, max_value=120.0),
        st.sampled_from([Status.RUNNING, Status.RUNNING, Status.QUEUED]),
        st.none() | st.integers(-3, 6),
        st.none() | st.integers(0, 40),
    ),
    max_size=40,
)


@given(reports, st.integers(1, 40), st.sampled_from([1.0, 5.0, 10.0, 60.0]))
def test_every_pause_is_at_most_age_alones(
    sequence: list[tuple[float, Status, int | None, int | None]], total: int, poll_interval: float
) -> None:
    schedule = Schedule(poll_interval)
    forecasts = Forecasts()
    run = Run(id="a", name="a", status=Status.QUEUED)
    elapsed, done = 0.0, 0
    for gap, status, moved, new_total in sequence:
        elapsed += gap
        total = total if new_total is None else new_total
        done = done if moved is None else max(0, done + moved)
        progress = None if moved is None else Progress(done, total)
        forecasts.observe([run.updated(status=status, progress=progress)], elapsed)
        for ahead in (0.0, gap / 2, gap):
            now = elapsed + ahead
            by_age = schedule.age_pause(now)
            pause = schedule.pause([run], now, forecasts)
            assert min(MIN_AIMED_PAUSE, poll_interval) <= pause <= by_age
            forecast = forecasts.forecast(run)
            if forecast is None or forecast.expired(now):
                assert pause == by_age
            else:
                event("a live forecast")
