"""The main job end to end on this machine: a fake platform on loopback, the action run the way
the runner runs it, and the job summary it wrote.

    .venv/bin/python scripts/demo.py [--provider qatech] [--scenario failed]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.contract import only
from tests.fakes.__main__ import SCENARIOS, make_fake
from tests.harness import run_action
from tests.platforms import PLATFORMS


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--provider", choices=sorted(PLATFORMS), default="qatech")
    parser.add_argument("--scenario", choices=SCENARIOS[:3], default="failed")
    args = parser.parse_args()
    if args.scenario == "passed":
        print(f"Demo: a {args.provider} run that passes; the step should exit 0.")
    else:
        print(
            f"Demo: a {args.provider} run whose tests {args.scenario} ON PURPOSE, to show how a "
            "failure reads; the step should exit 1. (--scenario passed shows a pass.)"
        )

    with make_fake(args.provider, args.scenario) as fake, tempfile.TemporaryDirectory() as tmp:
        # The platform's inputs are those its fake's scenarios are built for.
        inputs = only(args.provider).step_inputs(
            fake,
            poll_interval="1s",
            timeout="2m",
            report_file="qa/report.json",
            junit_file="qa/junit.xml",
        )
        result = run_action(Path(tmp), inputs)
    print("=== log " + "=" * 60)
    print(result.log.rstrip())
    print("=== outputs " + "=" * 56)
    for name, value in result.outputs.items():
        print(f"{name}: {value}")
    print("=== job summary (GITHUB_STEP_SUMMARY) " + "=" * 30)
    print(result.summary)
    print(f"=== exit code {result.exit_code} (status {result.outputs.get('status')})")
    expected = 0 if args.scenario == "passed" else 1
    return 0 if result.exit_code == expected else 1


if __name__ == "__main__":
    raise SystemExit(main())
