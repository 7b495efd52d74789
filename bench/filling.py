"""Jobs on one key that, once it is shared, also check whenever their part would be lost.

.venv/bin/python -m bench.filling [--jobs 10] [--seeds 16] [--held-aside | --all]
    [--pattern even]
"""

from __future__ import annotations

from bench.fleet_run import FILLING, SHARED
from bench.untold import compare


def main() -> None:
    compare(__doc__, "even", [SHARED, *FILLING], "one key", "schedule")


if __name__ == "__main__":
    main()
