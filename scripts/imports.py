"""Draws qarun's imports: each module of src/qarun and the qarun modules it imports, layer by
layer from the entry points down, and any import cycle (there must be none).

    python scripts/imports.py          # the drawing
    python scripts/imports.py --check  # exit 1 on a cycle (tests/test_house.py runs it too)
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "src"


def modules(root: Path = SOURCE) -> dict[str, Path]:
    """Every module of the qarun package by its dotted name (a package by its own name)."""
    found = {}
    for path in sorted((root / "qarun").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(root: Path = SOURCE) -> dict[str, set[str]]:
    """Each module's imports of other qarun modules, TYPE_CHECKING ones included."""
    known = modules(root)
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _targets(node, known):
                if target != name:
                    graph[name].add(target)
    return graph


def _targets(node: ast.AST, known: dict[str, Path]) -> Iterator[str]:
    if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("qarun"):
        for alias in node.names:
            full = f"{node.module}.{alias.name}"
            yield full if full in known else node.module
    elif isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names if alias.name in known)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layers(graph: dict[str, set[str]]) -> list[list[str]]:
    """Modules by depth: the first layer imports no qarun module, each next one only those
    above it (a graph without cycles has such an order)."""
    placed: dict[str, int] = {}
    while len(placed) < len(graph):
        ready = [n for n in graph if n not in placed and graph[n] <= placed.keys()]
        if not ready:
            break  # a cycle: what is left cannot be placed
        for node in ready:
            placed[node] = 1 + max((placed[d] for d in graph[node]), default=-1)
    depth = max(placed.values(), default=-1) + 1
    return [sorted(n for n, d in placed.items() if d == level) for level in range(depth)][::-1]


def main(argv: list[str]) -> int:
    graph = imports()
    for level, names in enumerate(layers(graph)):
        print(f"layer {level}:")
        for name in names:
            below = ", ".join(sorted(graph[name])) or "-"
            print(f"  {name} -> {below}")
    found = cycles(graph)
    for group in found:
        print("cycle:", " <-> ".join(group))
    print("no import cycle" if not found else f"{len(found)} import cycle(s)")
    return 1 if found and "--check" in argv else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
