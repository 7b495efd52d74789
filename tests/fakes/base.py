"""A fake platform server on loopback: real HTTP, scripted per scenario, every request recorded.

Each platform's fake (panto.py, qatech.py, qualigate.py) subclasses FakePlatform
and answers the paths its documents describe. Scenarios are written with
RunScript: what a run is called, how it ends and how long it takes; the fake
answers with the platform's own status words as its clock passes. That clock is
never the wall's in a test: a PollClock, which moves on with each request the fake
receives (a qarun process's runs end after so many requests, however busy the
machine), or a TestClock that qarun's `main(env, clock=…)` reads too (time passes
only when qarun pauses). Benchmarks that measure real lag put a fake on the wall
clock (`bench.clocks.on_wall_clock`).
Faults (429, 5xx, drops, garbage) are queued per route with `inject`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class TestScript:
    """One test inside a run (a QA.tech test case, a Qualigate suite's test)."""

    __test__ = False

    name: str
    result: str = "passed"  # passed | failed | error | skipped | timeout | canceled
    message: str | None = None


@dataclass(frozen=True)
class RunScript:
    """How one run on the fake platform behaves.

    result: passed | failed | error | skipped | canceled | timeout | never (runs forever),
    or any other word, which the fake sends as the platform's status as it is.
    """

    name: str = "Checkout regression"
    result: str = "passed"
    duration: float = 0.6  # seconds from trigger to the end
    queued_for: float = 0.1  # seconds spent queued before running
    message: str | None = None
    tests: tuple[TestScript, ...] = ()
    device: str | None = None


_ARRIVALS = itertools.count()


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    raw_body: bytes
    at: float
    # The order of arrival across every fake: on a TestClock two requests can share `at`.
    order: int = field(default_factory=lambda: next(_ARRIVALS))


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-serialized unless `raw` is set
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    # "drop": close the connection without answering; "drip": send the answer's headers one
    # byte every 0.2 s, never finishing (until the fake stops); "pass": answer as the fake
    # normally would (spaces queued faults out), after `delay` if one is set
    action: str | None = None
    delay: float = 0.0


# Queued between faults: this request gets the fake's normal answer.
PASS = Reply(action="pass")


class FakePlatform:
    """The server. Subclasses implement `route(request) -> Reply`."""

    def __init__(self, api_key: str = "test-key-0123456789") -> None:
        self.api_key = api_key
        # Read when a run starts and at each request; a test may give its TestClock.
        self.clock: Callable[[], float] = PollClock()
        self.requests: list[Recorded] = []
        self._faults: dict[str, deque[Reply]] = {}
        self._lock = threading.Lock()
        self.stopping = threading.Event()  # ends answers that drip forever
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.host = "127.0.0.1"

    # --- lifecycle -------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> FakePlatform:
        self.host = host
        handler = _make_handler(self)
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        # A short poll interval keeps stop() (and so every test's teardown) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        _RUNNING.append(self)
        return self

    def stop(self) -> None:
        if self in _RUNNING:
            _RUNNING.remove(self)
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakePlatform:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the fake first"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The base URL to pass as `api-url` (subclasses add their path prefix)."""
        return f"http://127.0.0.1:{self.port}"

    # --- scripting -------------------------------------------------------------
    def inject(self, route: str, *replies: Reply) -> None:
        """Queues replies for requests whose `METHOD /path` starts with `route`."""
        with self._lock:
            self._faults.setdefault(route, deque()).extend(replies)

    def requests_to(self, method: str, path_prefix: str = "") -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    # --- to implement ----------------------------------------------------------
    def route(self, request: Recorded) -> Reply:
        raise NotImplementedError

    def authorized(self, request: Recorded) -> bool:
        raise NotImplementedError

    def runs_started(self) -> int:
        """How many runs the platform holds: what a re-sent trigger would double."""
        raise NotImplementedError

    def unauthorized(self) -> Reply:
        return Reply(401, {"message": "Missing or invalid API key"})

    # --- plumbing ----------------------------------------------------------------
    def _dispatch(self, request: Recorded) -> Reply:
        if isinstance(self.clock, PollClock):
            self.clock.received()
        with self._lock:
            self.requests.append(request)
            key = f"{request.method} {request.path}"
            queued = next(
                (
                    queue.popleft()
                    for route, queue in self._faults.items()
                    if queue and key.startswith(route)
                ),
                None,
            )
        if queued is not None and queued.action != "pass":
            return queued
        answer = self.route(request) if self.authorized(request) else self.unauthorized()
        if queued is not None:
            answer.delay = max(answer.delay, queued.delay)
        return answer


def _make_handler(fake: FakePlatform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # One buffered write per answer and no Nagle: otherwise every request waits ~40 ms
        # for a delayed ACK between the headers and the body.
        wbufsize = 64 * 1024
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            parts = urlsplit(self.path)
            request = Recorded(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                raw_body=raw,
                at=fake.clock(),  # before `received()` moves a PollClock on
            )
            reply = fake._dispatch(request)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.action == "drip":
                self.close_connection = True
                head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Drip: "
                for byte in itertools.chain(head, itertools.repeat(ord("x"))):
                    if fake.stopping.wait(0.2):
                        return
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:
                        return
            if reply.action == "drop":
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(2)
                return
            payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            headers = {"Content-Type": "application/json", **reply.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    return Handler


# The fakes started and not yet stopped: the in-process harness gives them its clock.
_RUNNING: list[FakePlatform] = []


def running_fakes() -> list[FakePlatform]:
    return list(_RUNNING)


class PollClock:
    """Time that passes by requests: each one the fake receives moves it STEP seconds on."""

    STEP = 0.25

    def __init__(self) -> None:
        self.now = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def received(self) -> None:
        with self._lock:
            self.now += self.STEP


class TestClock:
    """Time that passes only when told to: qarun's pauses and the fakes' runs read the same
    one, so minutes of a run take no real time and every answer is the same each time."""

    __test__ = False

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []
        self._lock = threading.Lock()
        self._at_pause: list[Callable[[], object]] = []

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        """A pause of qarun's: recorded, and the time moves on at once."""
        with self._lock:
            self.slept.append(seconds)
            self.now += max(0.0, seconds)
            actions, self._at_pause = self._at_pause, []
        for action in actions:
            action()

    def at_next_pause(self, action: Callable[[], object]) -> None:
        """Runs `action` during qarun's next pause: a moment certain, not a race."""
        self._at_pause.append(action)

    def advance(self, seconds: float) -> None:
        """Time that passes outside qarun (a test's own step)."""
        with self._lock:
            self.now += seconds


class Stopwatch:
    """Seconds since a run was triggered on the fake, by the fake's clock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.start = clock()

    def elapsed(self) -> float:
        return self.clock() - self.start


# How progress (steps, tests) shows while a run goes, as the platforms leave it open: evenly,
# in two bursts, or stuck at a quarter until the run ends (a forecast from the first quarter
# is then wrong).
PROGRESS_PATTERNS = ("even", "bursts", "stalled")


def shown_progress(script: RunScript, elapsed: float, pattern: str) -> float:
    """The share of its work a running run shows done, `elapsed` seconds after the trigger."""
    running = script.duration - script.queued_for
    share = min(1.0, max(0.0, (elapsed - script.queued_for) / running)) if running > 0 else 1.0
    if pattern == "stalled":
        return min(share, 0.25)
    if pattern == "bursts":
        return 0.5 if share >= 0.5 else 0.0
    return share


def phase(script: RunScript, elapsed: float) -> str:
    """queued, running, or the script's result once its duration has passed."""
    if elapsed < script.queued_for:
        return "queued"
    if script.result == "never" or elapsed < script.duration:
        return "running"
    return script.result
