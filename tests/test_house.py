"""The house a newcomer can extend: imports run one way, no module over 400 lines, no
function over 50 (scripts/imports.py draws the imports)."""

from __future__ import annotations

import ast

from scripts.imports import SOURCE, cycles, imports, layers, modules

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50


def test_the_walk_sees_the_package() -> None:
    # The checks below hold of every module found: the walk must find the package...
    found = modules()
    for expected in ("qarun", "qarun.main", "qarun.verdict", "qarun.providers"):
        assert expected in found, expected
    # ...and the imports between them, so that a cycle could show.
    assert {"qarun.startup", "qarun.cli"} <= imports()["qarun.__main__"]


def test_imports_have_no_cycle() -> None:
    assert cycles(imports()) == []


def test_the_cycle_finder_finds_one() -> None:
    # The check above can fail: two modules that import each other are one cycle.
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_no_module_is_over_400_lines() -> None:
    long = {
        name: lines
        for name, path in modules().items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_is_over_50_lines() -> None:
    long = [
        f"{path.relative_to(SOURCE)}:{node.lineno} {node.name} ({lines} lines)"
        for path in modules().values()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (lines := (node.end_lineno or node.lineno) - node.lineno + 1) > MAX_FUNCTION_LINES
    ]
    assert long == []


def test_the_drawing_lists_every_module() -> None:
    drawn = {name for layer in layers(imports()) for name in layer}
    assert drawn == set(modules()) and SOURCE.is_dir()
