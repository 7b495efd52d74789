"""qarun reads its inputs from action.yml itself (qarun.manifest), with a reader made for its
shape: it must read exactly what a YAML parser reads, or fail here."""

from __future__ import annotations

import yaml

from qarun import manifest
from tests.harness import ROOT


def test_the_reader_reads_action_yml_as_yaml_does() -> None:
    declared = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["inputs"]
    read = manifest.inputs()
    assert list(read) == list(declared)
    for name, spec in declared.items():
        default = str(spec.get("default", ""))
        assert read[name].description == spec["description"], name
        assert read[name].default == ("" if default.startswith("${{") else default), name
        assert read[name].required == bool(spec.get("required", False)), name


def test_the_package_carries_the_same_action_yml() -> None:
    from importlib import resources

    packaged = resources.files("qarun").joinpath("action.yml").read_text(encoding="utf-8")
    assert packaged == (ROOT / "action.yml").read_text(encoding="utf-8")


def test_quoting_and_blocks_the_reader_meets() -> None:
    text = (
        'name: x\ninputs:\n  a:\n    description: "say \\"hi\\" \\u2014 ok"\n'
        "    default: '10s'\n  b:\n    description: plain words\n    required: true\n"
        "outputs:\n  c:\n    description: not an input\n"
    )
    parsed = {item.name: item for item in manifest.parse_inputs(text)}
    assert list(parsed) == ["a", "b"]
    assert parsed["a"].description == 'say "hi" — ok' and parsed["a"].default == "10s"
    assert parsed["b"].required and parsed["b"].description == "plain words"
