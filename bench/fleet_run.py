"""Jobs against the Qualigate fake and its per-key limit, and what each job's run looked like
from the fake's side: the machinery of bench/shared_key.py and bench/fleet.py.

A job is triggered and waited for either as the runner runs it (`python -m qarun` in a
process of its own, in real time) or as qarun's own client, Qualigate provider and wait loop
on a thread, every pause on a `VirtualTime` shared with the fakes (a table is then the same
on every run for a given seed). The fake stamps every request, so each job's lag is measured
on the platform's side: from its run's end to the first status check of it that was answered.
"""

from __future__ import annotations

import json
import random
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.fakes.base import Recorded, Reply, RunScript
from tests.fakes.qualigate import RESULTS, TEST_CASE_ID, TRIGGER, QualigateFake
from tests.harness import run_action

from bench.clocks import VirtualTime, on_wall_clock
from bench.pattern_fake import ShowingFake
from bench.progress import Shows
from bench.schedule import FillingSchedule, SavingSchedule
from qarun.deadline import Deadline
from qarun.errors import QarunError
from qarun.git_context import GitContext
from qarun.http import HttpClient
from qarun.inputs import Inputs
from qarun.model import Run, Status
from qarun.providers.base import Provider
from qarun.providers.qualigate import QualigateProvider
from qarun.ratelimit import SPREAD_CAP
from qarun.settings import Settings
from qarun.verdict import exit_code, final_statuses, overall_status
from qarun.wait import Schedule, Waiter

TIMEOUT = 300.0
# The inputs' defaults, as a job without `poll-interval` or `fail-on` has them.
DEFAULT_POLL_INTERVAL = Settings.poll_interval
DEFAULT_FAIL_ON = Settings.fail_on
# The groups run_fleets can run beside each other: the jobs on one key, with a key each, and
# on one key with progress hidden from their schedule (threads only).
SHARED, ALONE, AGE_ONLY = "shared", "alone", "age-only"
# On one key whose limit the jobs are not told (as on Panto and QA.tech, which document none),
# a 429's hold lengthened at random by at most this many seconds (ratelimit.SPREAD_CAP: 10).
UNTOLD = {f"untold, at most {cap:g} s": cap for cap in (0.1, 2.0, 5.0, SPREAD_CAP, 30.0)}
# On one key, a variant schedule that saves the job's part for checks at a forecast end
# (bench/saving.py): (spreads before the end it aims at, longest pause in poll-intervals).
SAVING = {
    f"saving for the end, {reach:g} spread(s), {stretch:g} × poll-interval": (reach, stretch)
    for reach, stretch in ((2.0, 2.0), (2.0, 3.0), (1.0, 3.0), (1.0, 6.0))
}
FILLING = {f"filling at {share:g} of the bucket": share for share in (0.0, 0.5, 1.0)}


class CountingFake(ShowingFake):
    """The Qualigate fake, keeping which requests it refused (429) and for which run; its
    runs' steps shown as `shows` says (None: the fake's own even count)."""

    def __init__(
        self,
        scripts: list[RunScript],
        clock: Callable[[], float] | None,
        shows: Shows | None = None,
    ) -> None:
        super().__init__(triggers=[[script] for script in scripts], shows=shows)
        if clock is None:
            on_wall_clock(self)  # the limit and the lag in real seconds
        else:
            self.clock = clock
        self.refused_by_run: Counter[str] = Counter()
        self.refused_requests: set[int] = set()

    def route(self, request: Recorded) -> Reply:
        reply = super().route(request)
        if reply.status == 429:
            for run_id in asked_about(request) or ["trigger"]:
                self.refused_by_run[run_id] += 1
            self.refused_requests.add(request.order)
        return reply


def asked_about(request: Recorded) -> list[str]:
    """The test runs a status check asks about: `test_run_id` on /trigger, `test_run_ids`
    on /results."""
    ids = request.query.get("test_run_id") or request.query.get("test_run_ids") or [""]
    return [run_id for run_id in ids[0].split(",") if run_id]


@dataclass(frozen=True)
class Job:
    number: int
    starts_at: float
    script: RunScript

    @property
    def expected(self) -> str:
        return self.script.result


@dataclass(frozen=True)
class Ended:
    """How a job ended: its `status` and `run-ids` outputs and its exit code."""

    status: str
    exit_code: int
    run_ids: list[str]


@dataclass
class Measured:
    job: Job
    ended: Ended
    run_id: str = ""
    lag: float = float("nan")
    requests: int = 0
    refused: int = 0
    # The verdict the job's own run should get: the script the shared fake gave that run (two
    # processes started together may trigger in either order and swap their scripts).
    expected: str = ""

    def __post_init__(self) -> None:
        self.expected = self.expected or self.job.expected


def inputs_for(fake: QualigateFake) -> dict[str, str]:
    return {
        "provider": "qualigate",
        "api-key": fake.api_key,
        "api-url": fake.url,
        "test-case": TEST_CASE_ID,
        "timeout": f"{TIMEOUT:.0f}s",
    }


def process_job(job: Job, fake: QualigateFake, folder: Path, began: float) -> Ended:
    """The job as the runner runs it: `python -m qarun` in a process of its own."""
    time.sleep(max(0.0, began + job.starts_at - time.monotonic()))
    result = run_action(folder, inputs_for(fake), timeout=TIMEOUT + 60)
    run_ids = json.loads(result.outputs.get("run-ids") or "[]")
    return Ended(result.outputs.get("status", "?"), result.exit_code, run_ids)


def virtual_job(
    job: Job, fake: QualigateFake, virtual: VirtualTime, seed: int, group: str = SHARED
) -> Ended:
    """The job's trigger and wait, as main.py does them, with every pause on `virtual`.
    `seed` fixes the client's random spread of 429 waits. In the AGE_ONLY group the schedule
    never sees the runs' progress: qarun on age alone (no forecast); in an UNTOLD one the
    client is not told the key's limit, and lengthens a 429's hold by at most its seconds; in
    a SAVING one the schedule saves the job's part for a forecast end (bench/saving.py)."""
    hide_progress = group == AGE_ONLY
    virtual.sleep(job.starts_at)
    inputs = Inputs(inputs_for(fake))
    options = QualigateProvider.parse_options(inputs)
    client = HttpClient(
        base_url=fake.url,
        headers=QualigateProvider.auth_headers(fake.api_key),
        sleep=virtual.sleep,
        clock=virtual.now,
        deadline=Deadline.after(virtual.now, TIMEOUT),
        rng=random.Random(seed * 1000 + job.number),
    )
    provider = QualigateProvider.create(options, client, GitContext(), attach_context=False)
    if group in UNTOLD:
        client.limits.spread_cap = UNTOLD[group]
        for window in client.limits.windows.values():
            window.limit = None
    runs: list[Run] = []
    poll = _hiding_progress(provider) if hide_progress else provider.poll
    try:
        started = virtual.now()
        runs = [run for spec in provider.plan() for run in provider.trigger(spec)]
        if hide_progress:
            runs = [run.updated(progress=None) for run in runs]
        waiter = Waiter(
            poll=poll,
            schedule=_schedule(group, client),
            clock=virtual.now,
            sleep=virtual.sleep,
            deadline=client.deadline,
        )
        result = waiter.wait(runs, started)
    except QarunError as error:
        return Ended(Status.ERROR.value, error.exit_code, [run.id for run in runs])
    finally:
        virtual.leave()
    status = overall_status(result.runs, timed_out=result.timed_out)
    code = exit_code(final_statuses(result.runs), DEFAULT_FAIL_ON)
    return Ended(status.value, code, [run.id for run in result.runs])


def _schedule(group: str, client: HttpClient) -> Schedule:
    """qarun's schedule, or in a SAVING group the variant that saves for a forecast end."""
    if group in FILLING:
        routes = tuple(sorted(set().union(*client.limits.alike)))  # the check's routes
        return FillingSchedule(DEFAULT_POLL_INTERVAL, client.limits, FILLING[group], routes)
    if group not in SAVING:
        return Schedule(DEFAULT_POLL_INTERVAL)
    reach, stretch = SAVING[group]
    return SavingSchedule(DEFAULT_POLL_INTERVAL, client.limits, reach, stretch)


def _hiding_progress(provider: Provider) -> Callable[[Sequence[Run]], list[Run]]:
    def poll(runs: Sequence[Run]) -> list[Run]:
        return [run.updated(progress=None) for run in provider.poll(runs)]

    return poll


def measure(job: Job, fake: CountingFake, ended: Ended) -> Measured:
    """The job's figures, read from the fake: its run is the one its `run-ids` output names.

    Its lag runs from the run's end to the first status check of it that was answered
    (on /trigger or /results).
    """
    measured = Measured(job, ended)
    if not ended.run_ids or ended.run_ids[0] not in fake.test_runs:
        return measured
    run = fake.test_runs[ended.run_ids[0]]
    measured.run_id = run.id
    measured.expected = run.script.result
    checks = sorted(
        (
            r
            for r in fake.requests
            if r.method == "GET" and r.path in (TRIGGER, RESULTS) and run.id in asked_about(r)
        ),
        key=lambda r: r.order,
    )
    measured.requests = len(checks) + 1  # and its trigger
    measured.refused = fake.refused_by_run[run.id]
    ended_at = run.timeline.clock.start + run.script.duration
    seen = next(
        (r.at for r in checks if r.at >= ended_at and r.order not in fake.refused_requests),
        None,
    )
    if seen is not None:
        measured.lag = seen - ended_at
    return measured


def run_group(
    group: list[tuple[Job, CountingFake]], start: Callable[[Job, CountingFake], Ended]
) -> list[Measured]:
    ended: dict[int, Ended] = {}

    def one(job: Job, fake: CountingFake) -> None:
        ended[job.number] = start(job, fake)

    threads = [threading.Thread(target=one, args=pair) for pair in group]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [measure(job, fake, ended[job.number]) for job, fake in group]


@dataclass
class Fleet:
    """One group of jobs, once done: each job's figures, and the fakes they ran against."""

    measured: list[Measured] = field(default_factory=list)
    fakes: list[CountingFake] = field(default_factory=list)


def _fakes(
    group: str, planned: list[Job], clock: Callable[[], float] | None, shows: Shows | None
) -> list[tuple[Job, CountingFake]]:
    """Each job beside the fake it runs against: a fake each (ALONE), or one for all."""
    if group == ALONE:
        return [(job, CountingFake([job.script], clock, shows)) for job in planned]
    shared = CountingFake([job.script for job in planned], clock, shows)
    return [(job, shared) for job in planned]


def run_fleets(
    planned: list[Job],
    seed: int | None,
    shows: Shows | None = None,
    groups: Sequence[str] = (SHARED, ALONE),
) -> dict[str, Fleet]:
    """The `planned` jobs in each of `groups`, all at once: processes in real time, or with a
    `seed` (of the clients' 429 spread), threads on one virtual time."""
    if seed is None and AGE_ONLY in groups:
        raise ValueError("the age-only group runs on virtual time only")
    virtual = VirtualTime(len(groups) * len(planned)) if seed is not None else None
    clock = virtual.now if virtual is not None else None
    pairs = {name: _fakes(name, planned, clock, shows) for name in groups}
    fleets = {name: Fleet(fakes=list(dict.fromkeys(f for _, f in pairs[name]))) for name in groups}
    for fleet in fleets.values():
        for fake in fleet.fakes:
            fake.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            began = time.monotonic() + 1.0

            def starter(name: str) -> Callable[[Job, CountingFake], Ended]:
                def start(job: Job, fake: CountingFake) -> Ended:
                    if virtual is not None and seed is not None:
                        return virtual_job(job, fake, virtual, seed, name)
                    folder = Path(tmp) / f"{id(fake)}-{job.number}"
                    return process_job(job, fake, folder, began)

                return start

            def group(name: str) -> None:
                fleets[name].measured = run_group(pairs[name], starter(name))

            threads = [threading.Thread(target=group, args=(name,)) for name in fleets]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        for fleet in fleets.values():
            for fake in fleet.fakes:
                fake.stop()
    return fleets
