"""The container's entry point: runs qarun with the runner's environment."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from qarun.main import main

if __name__ == "__main__":
    raise SystemExit(main())
