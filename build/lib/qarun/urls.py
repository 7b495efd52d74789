"""Every check qarun makes on a URL, in one place: what a user may give, where a secret may
go, and what may become a link in the summary."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

# Everything a URL may hold except what would end a Markdown link or a table cell.
_LINK_SAFE = "/:?#[]@!$&*+,;=%-._~"


def is_http_url(raw: str) -> bool:
    """An http:// or https:// URL with a host and no white space in it."""
    try:
        parts = urlsplit(raw)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and raw.split() == [raw]


def is_safe_url(raw: str) -> bool:
    """An https:// URL, or plain http:// to this machine: where a secret may be sent."""
    try:
        parts = urlsplit(raw)
        host = parts.hostname or ""
    except ValueError:
        return False
    if not host or parts.scheme not in ("http", "https"):
        return False
    return parts.scheme == "https" or is_loopback(host)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    import ipaddress  # here, not at the top: only plain-http URLs need it

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def link_url(url: str | None) -> str | None:
    """An http(s) URL fit for `[text](url)`, or None for anything else."""
    if not url:
        return None
    candidate = url.strip()
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return quote(candidate, safe=_LINK_SAFE)
