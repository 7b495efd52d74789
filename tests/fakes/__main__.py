"""Serve a fake platform from the command line (the CI smoke job and the demo use it).

python -m tests.fakes serve --provider qatech --scenario passed --port 8765
"""

from __future__ import annotations

import argparse
import shlex
import signal
import threading

from tests.fakes.base import FakePlatform
from tests.platforms import PLATFORMS

SCENARIOS = ("passed", "failed", "mixed", "never")


def make_fake(provider: str, scenario: str) -> FakePlatform:
    return PLATFORMS[provider].scenario(scenario)


def command_line(provider: str, fake: FakePlatform) -> str:
    """The `qarun` command that runs against `fake`: its key in QARUN_API_KEY, the platform's
    minimal inputs as options."""
    inputs = PLATFORMS[provider].step_inputs(fake)
    key = inputs.pop("api-key")
    options = " ".join(f"--{name} {shlex.quote(value)}" for name, value in inputs.items())
    return f"QARUN_API_KEY={shlex.quote(key)} .venv/bin/qarun {options}"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve a fake platform until interrupted")
    serve.add_argument("--provider", choices=sorted(PLATFORMS), required=True)
    serve.add_argument("--scenario", choices=SCENARIOS, default="passed")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    fake = make_fake(args.provider, args.scenario).start(args.host, args.port)
    print(
        f"fake {args.provider} ({args.scenario}): api-url {fake.url}, key {fake.api_key}\n"
        "try it, from a checkout set up by scripts/setup.sh:\n"
        f"  {command_line(args.provider, fake)}",
        flush=True,
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    fake.stop()


if __name__ == "__main__":
    main()
