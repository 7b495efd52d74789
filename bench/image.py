"""The image: what the Dockerfile adds to its base, and how long the runner's build takes.

Builds the way the runner builds a `uses: ./` step (`docker build -t <tag> -f
<Dockerfile> <its folder>`; docs/runner.md, How a container action is run), then prints the
layers the Dockerfile adds (`docker history`, the base's own layers left out: a locally
built stand-in for the base can be larger than the official one) and three build times:

- cold: `--no-cache`, so the dependencies are downloaded and installed again
  (the base is already present; a hosted runner would also pull it);
- warm: nothing changed, every layer from the cache;
- source edit: a change under src/, so the dependency layer is reused, which is
  what a local action's rebuild on every run costs.

    .venv/bin/python -m bench.image

Needs a Docker engine (see docs/development.md). Target (issue 6):
the Dockerfile adds at most 40 MB. The bench's tags are removed at the end; the
layers stay as build cache, as they would on a runner.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from tests.dockerutil import action_dockerfile, engine_available

from bench.tables import machine_name, table

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 40.0
MB = 1_000_000  # docker prints decimal megabytes
# Left out of the copy used for the source edit: large, and .dockerignore drops them anyway.
NOT_CONTEXT = (".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache")


@dataclass(frozen=True)
class Layer:
    instruction: str
    size: int  # bytes


def base_image(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if words and words[0].upper() == "FROM":
            return words[1]
    raise SystemExit(f"{path} has no FROM line")


def docker(*args: str) -> str:
    done = subprocess.run(["docker", *args], check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"docker {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def build(root: Path, tag: str, *, cache: bool = True) -> float:
    """The runner's build line; returns its wall time in seconds."""
    path = action_dockerfile(root)
    flags = [] if cache else ["--no-cache"]
    start = time.monotonic()
    docker("build", *flags, "-t", tag, "-f", str(path), str(path.parent))
    return time.monotonic() - start


def history(image: str) -> list[Layer]:
    """The image's layers, newest first."""
    rows = docker(
        "history", "--no-trunc", "--human=false", "--format", "{{.Size}}\t{{.CreatedBy}}", image
    )
    layers = []
    for row in rows.splitlines():
        size, _, created_by = row.partition("\t")
        layers.append(Layer(_instruction(created_by), int(size)))
    return layers


def added_layers(image: str, base: str) -> list[Layer]:
    """The image's layers above its base's, oldest first, as the Dockerfile lists them."""
    layers = history(image)
    own = len(layers) - len(history(base))
    return list(reversed(layers[:own]))


def _instruction(created_by: str) -> str:
    """`/bin/sh -c #(nop) COPY dir:<sha> in /app/src` → `COPY dir in /app/src`."""
    text = created_by.removeprefix("/bin/sh -c ").removeprefix("#(nop) ").strip()
    if not text.startswith(("ENV", "COPY", "ADD", "ENTRYPOINT", "CMD", "WORKDIR", "LABEL")):
        text = "RUN " + text
    words = [
        word.split(":", 1)[0] if ":" in word and len(word) > 60 else word for word in text.split()
    ]
    text = " ".join(words)
    return text if len(text) <= 72 else text[:71] + "…"


def edited_copy(into: Path) -> Path:
    """The repository copied with one source file changed, as after a commit to src/."""
    copy = into / "repo"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_CONTEXT), symlinks=True)
    edited = copy / "src" / "qarun" / "__init__.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited by bench/image.py\n")
    return copy


def measure(tags: dict[str, str]) -> tuple[list[Layer], dict[str, float]]:
    base = base_image(action_dockerfile(ROOT))
    times = {"cold (--no-cache)": build(ROOT, tags["cold"], cache=False)}
    layers = added_layers(tags["cold"], base)
    # The cold chain is the bench's own: drop it now so the warm builds use the usual cache.
    docker("rmi", tags["cold"])
    build(ROOT, tags["warm"])  # fills the cache if nothing has built this source yet
    times["warm (nothing changed)"] = build(ROOT, tags["warm"])
    with tempfile.TemporaryDirectory() as tmp:
        times["warm (a file in src/ edited)"] = build(edited_copy(Path(tmp)), tags["edit"])
    return layers, times


def report(base: str, layers: list[Layer], times: dict[str, float]) -> None:
    total = sum(layer.size for layer in layers)
    rows = [[f"{layer.size / MB:.2f}", layer.instruction] for layer in layers]
    rows.append([f"{total / MB:.2f}", f"total added to {base} (target ≤ {TARGET_MB:.0f} MB)"])
    print(f"Layers the Dockerfile adds to {base} (docker history)\n")
    print(table(["MB", "instruction"], rows))
    print("\nBuild time, the runner's `docker build` line\n")
    print(table(["build", "seconds"], [[name, f"{secs:.1f}"] for name, secs in times.items()]))
    engine = docker("version", "--format", "{{.Server.Version}}").strip()
    print(f"\nMachine: {machine_name()}; Docker engine {engine}.")
    verdict = "within" if total / MB <= TARGET_MB else "OVER"
    print(f"{total / MB:.1f} MB added: {verdict} the {TARGET_MB:.0f} MB target.")


def main() -> None:
    # No options; `--help` says what a run does (it builds the image three times) and does not.
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    if not engine_available():
        raise SystemExit(
            "No Docker engine answers `docker info`; start one (see docs/development.md), "
            "then run this again."
        )
    run = uuid.uuid4().hex[:12]
    tags = {kind: f"qarun-bench:{kind}-{run}" for kind in ("cold", "warm", "edit")}
    try:
        layers, times = measure(tags)
    finally:
        # The edit's own layers go; the warm chain stays as the cache a runner would keep.
        subprocess.run(["docker", "rmi", tags["edit"]], check=False, capture_output=True)
        subprocess.run(
            ["docker", "rmi", "--no-prune", tags["warm"], tags["cold"]],
            check=False,
            capture_output=True,
        )
    report(base_image(action_dockerfile(ROOT)), layers, times)


if __name__ == "__main__":
    main()
