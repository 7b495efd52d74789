"""Cutting a platform's text down to size, the one way every report does it."""

from __future__ import annotations


def clip(text: str, limit: int) -> str:
    """`text`, or its first `limit` characters ending in an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
