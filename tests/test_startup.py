"""What starting qarun loads: only what its first request needs (bench/coldstart.py: the times)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from qarun import manifest
from qarun.providers import PROVIDERS, provider_inputs
from tests.fakes import qualigate
from tests.harness import ROOT, prepare

# Starts qarun as a process and waits on it or signals it: bench/stress.py runs these.
pytestmark = pytest.mark.process

# Each costs start-up time and none is needed before the first request (requests is: it
# sends it).
HEAVY = ("jq", "github", "qarun.report", "yaml")


def modules_loaded(code: str, env: dict[str, str] | None = None) -> list[str]:
    """The modules a fresh interpreter holds after running `code`."""
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**(env or {}), "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: list[str] = json.loads(done.stdout.splitlines()[-1])
    return loaded


def test_starting_loads_no_heavy_module() -> None:
    loaded = modules_loaded("import qarun.main")
    assert [m for m in loaded if m.split(".")[0] in HEAVY or m.startswith(HEAVY)] == []


def test_settings_load_only_the_chosen_platform(tmp_path: Path) -> None:
    inputs = {"provider": "qualigate", "api-key": "k" * 12, "suite": qualigate.SUITE_ID}
    step = prepare(tmp_path, inputs)
    code = "import os\nfrom qarun.settings import load_settings\nload_settings(os.environ)"
    loaded = modules_loaded(code, step.env)
    assert [m for m in loaded if m.startswith("qarun.providers.")] == [
        "qarun.providers.base",
        "qarun.providers.qualigate",
        "qarun.providers.qualigate_answers",
        "qarun.providers.qualigate_options",
        "qarun.providers.qualigate_verdict",
    ]


def test_action_yml_says_which_platforms_take_each_platform_input() -> None:
    declared = manifest.inputs()
    for name in provider_inputs():
        names = "|".join(PROVIDERS)
        said = set(re.findall(rf"\b({names}):", declared[name].description))
        takers = {platform for platform, cls in PROVIDERS.items() if name in cls.inputs}
        assert said == takers, f"action.yml's `{name}` names {said}, taken by {takers}"


def test_the_registry_knows_its_platforms_without_loading_them() -> None:
    code = (
        "from qarun.providers import PROVIDERS\n"
        "assert 'panto' in PROVIDERS and 'x' not in PROVIDERS\n"
        "assert list(PROVIDERS) == ['panto', 'qatech', 'qualigate']"
    )
    loaded = modules_loaded(code)
    assert "qarun.providers.panto" not in loaded
    assert PROVIDERS["panto"].name == "panto"
