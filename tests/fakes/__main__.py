"""Serve a fake platform from the command line (the CI smoke job and the demo use it).

python -m tests.fakes serve --provider qatech --scenario passed --port 8765
"""

from __future__ import annotations

import argparse
import signal
import threading

from tests.fakes.base import FakePlatform
from tests.platforms import PLATFORMS

SCENARIOS = ("passed", "failed", "mixed", "never")


def make_fake(provider: str, scenario: str) -> FakePlatform:
    return PLATFORMS[provider].scenario(scenario)


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
        f"fake {args.provider} ({args.scenario}): api-url {fake.url}, key {fake.api_key}",
        flush=True,
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    fake.stop()


if __name__ == "__main__":
    main()
