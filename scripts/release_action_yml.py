"""Points a release's action.yml at the prebuilt image instead of the Dockerfile.

The default branch keeps `image: Dockerfile`, so `uses: ./` builds from source.
The release workflow (.github/workflows/release.yml) runs this on the release
commit, so a user's `uses: <owner>/qarun@v1` pulls a ready image in seconds
instead of building it in every job. The image is named by its digest, never by a
tag: a tag can be pushed again, a digest cannot, so a release always runs the
image that was built, tested and attested for it. Only the `runs.image` line
changes: comments, quoting and every other byte stay as they were.

    python scripts/release_action_yml.py action.yml ghcr.io/owner/qarun@sha256:<64 hex>
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

# A registry host (optionally with a port), a lowercase path (ghcr.io refuses uppercase),
# and a sha256 digest: no tag, which could be moved to another image later.
_IMAGE = re.compile(
    r"docker://[a-z0-9][a-z0-9.-]*(?::[0-9]+)?(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)+"
    r"@sha256:[0-9a-f]{64}"
)
_RUNS = re.compile(r"runs:[ \t]*(?:#.*)?")
_DOCKERFILE = re.compile(
    r"(?P<lead>[ \t]+image:[ \t]*)(?P<quote>[\"']?)Dockerfile(?P=quote)(?P<tail>[ \t]*(?:#.*)?)"
)


class ReleaseError(Exception):
    """The action.yml or the image is not what a release can rewrite."""


def rewrite(action_yml_text: str, image: str) -> str:
    """action.yml with `runs.image: Dockerfile` replaced by `image` (`docker://…@sha256:…`)."""
    if not _IMAGE.fullmatch(image):
        raise ReleaseError(
            f"`{image}` is not an image pinned by digest; expected "
            "`docker://ghcr.io/<owner>/qarun@sha256:<64 hex digits>` (lowercase)."
        )
    lines = action_yml_text.splitlines(keepends=True)
    start, end = _runs_block(lines)
    hits = [
        (index, match)
        for index in range(start, end)
        if (match := _DOCKERFILE.fullmatch(_body(lines[index])))
    ]
    if len(hits) != 1:
        raise ReleaseError(
            "action.yml has no `image: Dockerfile` line under `runs:` "
            f"(found {len(hits)}); a release rewrites the default branch's action.yml only once."
        )
    index, match = hits[0]
    quote = match["quote"]
    ending = lines[index][len(_body(lines[index])) :]
    lines[index] = f"{match['lead']}{quote}{image}{quote}{match['tail']}{ending}"
    return "".join(lines)


def _body(line: str) -> str:
    return line.rstrip("\r\n")


def _runs_block(lines: list[str]) -> tuple[int, int]:
    """The line range of the top-level `runs:` mapping's children."""
    starts = [index for index, line in enumerate(lines) if _RUNS.fullmatch(_body(line))]
    if not starts:
        raise ReleaseError("action.yml has no top-level `runs:` block.")
    start = starts[0] + 1
    for index in range(start, len(lines)):
        line = lines[index]
        # The next top-level key ends the block; comments and blank lines don't.
        if line[:1] not in ("", " ", "\t", "#", "\n", "\r"):
            return start, index
    return start, len(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Point action.yml at a prebuilt image.")
    parser.add_argument("action_yml", type=Path, help="the action.yml to rewrite in place")
    parser.add_argument("image", help="the pushed image by digest: ghcr.io/owner/qarun@sha256:…")
    args = parser.parse_args(argv)

    image = args.image if args.image.startswith("docker://") else f"docker://{args.image}"
    path: Path = args.action_yml
    try:
        # Bytes, not text mode: line endings must survive as they are.
        text = rewrite(path.read_bytes().decode("utf-8"), image)
    except (OSError, ReleaseError) as error:
        print(f"::error::{path}: {error}", file=sys.stderr)
        return 1
    path.write_bytes(text.encode("utf-8"))
    print(f"{path}: runs.image is now {image}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
