"""A request to a platform, as qarun describes it before sending: what dry-run prints, what
the HTTP client sends, and what its messages name."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Request:
    """A request qarun would send: what dry-run prints and what the client sends."""

    method: str
    path: str
    body: Mapping[str, Any] | None = None
    params: Mapping[str, str] | None = None
    # What the request is about, for messages: "test plan pln_abc", "run 7c1f…".
    what: str = "the request"
    # Kept to this job's share of a shared key (`ratelimit`); not the one read of a run's
    # results once it has ended, which the verdict waits for.
    shared: bool = True

    def describe(self, url: str, headers: Mapping[str, str]) -> str:
        """As dry-run prints it: method and URL, the headers (redacted) and the JSON body."""
        lines = [f"{self.method} {url}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if self.body is not None:
            lines.append(json.dumps(self.body, indent=2, sort_keys=True))
        return "\n".join(lines)
