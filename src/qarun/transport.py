"""The wire under http.py: HTTP/1.1 over the standard library's http.client.

Every job starts qarun in a fresh container, and `requests` alone takes longer
to import than all of qarun (bench/coldstart.py), while http.client comes with
Python. What qarun needed from requests is here: one kept-alive connection per
host, TLS verified against certifi's bundle (or REQUESTS_CA_BUNDLE /
CURL_CA_BUNDLE, as requests reads them), the proxy variables a self-hosted
runner passes (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY, either case;
http:// proxies), and gzip. Redirects are not followed: an API that redirects
means a wrong `api-url`, and http.py says so.
"""

from __future__ import annotations

import http.client
import json
import os
import select
import ssl
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
_Origin = tuple[str, str, int]
# How a connection the server has just closed fails.
_CLOSED = (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)


@dataclass(frozen=True)
class Response:
    """An answer, with the names http.py reads (those of requests.Response)."""

    status_code: int
    reason: str
    headers: Message
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not."""
        return json.loads(self.content)


@dataclass(frozen=True)
class _Exchange:
    """One request as it goes on the wire."""

    method: str
    target: str
    body: bytes | None
    headers: Mapping[str, str]
    timeout: float


class TransportError(Exception):
    """The exchange failed. `sent`: the platform may have received the request."""

    def __init__(self, reason: str, cause: BaseException, *, sent: bool) -> None:
        super().__init__(f"the platform {reason} ({type(cause).__name__})")
        self.reason = reason
        self.cause = cause
        self.sent = sent


@dataclass
class Connections:
    """Connections to the platforms, kept open between requests."""

    idle: dict[_Origin, http.client.HTTPConnection] = field(
        default_factory=dict, init=False, repr=False
    )
    tls: ssl.SSLContext | None = field(default=None, init=False, repr=False)

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None,
        headers: Mapping[str, str],
        timeout: tuple[float, float],
    ) -> Response:
        """Sends one request; `timeout` is (connect, read) in seconds."""
        parts = urlsplit(url)
        origin = (parts.scheme, parts.hostname or "", parts.port or DEFAULT_PORTS[parts.scheme])
        proxy = proxy_for(parts)
        sent = {**headers, "Accept-Encoding": "gzip"}
        target = _path(parts)
        if proxy is not None and parts.scheme == "http":
            # A plain-http request through a proxy names the whole URL; a tunnel hides it.
            target = url
            sent.update(_proxy_auth(proxy))
        exchange = _Exchange(method, target, body, sent, timeout[1])
        kept = self._reuse(origin)
        if kept is not None:
            try:
                return self._send(kept, origin, exchange)
            except TransportError as failure:
                # The server closed the kept-alive connection as the request left: a read
                # goes again on a new one; anything else may have been acted on.
                if method != "GET" or not isinstance(failure.cause, _CLOSED):
                    raise
        return self._send(self._connect(origin, proxy, timeout[0]), origin, exchange)

    def _send(
        self, connection: http.client.HTTPConnection, origin: _Origin, exchange: _Exchange
    ) -> Response:
        try:
            if connection.sock is not None:
                connection.sock.settimeout(exchange.timeout)
            connection.request(
                exchange.method, exchange.target, body=exchange.body, headers=exchange.headers
            )
            answer = connection.getresponse()
            content = answer.read()
        except TimeoutError as error:
            connection.close()
            raise TransportError("did not answer in time", error, sent=True) from None
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            raise TransportError("dropped the connection", error, sent=True) from None
        if answer.will_close:
            connection.close()
        else:
            self.idle[origin] = connection
        return Response(answer.status, answer.reason, answer.headers, _decoded(answer, content))

    def _reuse(self, origin: _Origin) -> http.client.HTTPConnection | None:
        connection = self.idle.pop(origin, None)
        if connection is not None and _closed_by_peer(connection):
            connection.close()
            return None
        return connection

    def _connect(
        self, origin: _Origin, proxy: SplitResult | None, timeout: float
    ) -> http.client.HTTPConnection:
        scheme, host, port = origin
        if proxy is not None and proxy.scheme != "http":
            problem = ValueError(f"qarun takes http:// proxies, not {proxy.scheme}://")
            raise TransportError("could not be reached through the proxy", problem, sent=False)
        via = (proxy.hostname or "", proxy.port or 80) if proxy is not None else (host, port)
        connection: http.client.HTTPConnection
        if scheme == "https":
            connection = http.client.HTTPSConnection(*via, timeout=timeout, context=self._context())
            if proxy is not None:
                connection.set_tunnel(host, port, headers=_proxy_auth(proxy))
        else:
            connection = http.client.HTTPConnection(*via, timeout=timeout)
        try:
            connection.connect()
        except (OSError, http.client.HTTPException) as error:
            # No request went out: refused, unresolved, timed out, TLS or proxy refused.
            connection.close()
            raise TransportError("could not be reached", error, sent=False) from None
        return connection

    def _context(self) -> ssl.SSLContext:
        if self.tls is None:
            bundle = ca_bundle()
            if bundle is not None and os.path.isdir(bundle):
                self.tls = ssl.create_default_context(capath=bundle)
            else:
                self.tls = ssl.create_default_context(cafile=bundle)
        return self.tls


def proxy_for(parts: SplitResult) -> SplitResult | None:
    """The proxy to reach this URL through, by requests' rules, or None."""
    if not any(name.lower().endswith("_proxy") for name in os.environ):
        return None  # the usual case, without loading urllib.request
    import urllib.request

    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    # On Linux, proxy_bypass reads NO_PROXY from the environment, as requests does.
    if not proxy or urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return urlsplit(proxy if "://" in proxy else f"http://{proxy}")


def ca_bundle() -> str | None:
    """The CA certificates to trust: as requests picks them; None for the system's."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        if os.environ.get(name):
            return os.environ[name]
    try:
        import certifi
    except ImportError:
        return None
    return str(certifi.where())


def _proxy_auth(proxy: SplitResult) -> dict[str, str]:
    if proxy.username is None:
        return {}
    import base64

    user = f"{unquote(proxy.username)}:{unquote(proxy.password or '')}"
    return {"Proxy-Authorization": "Basic " + base64.b64encode(user.encode()).decode()}


def _path(parts: SplitResult) -> str:
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _closed_by_peer(connection: http.client.HTTPConnection) -> bool:
    """An idle connection with something to read has been closed (or garbled) by the server."""
    if connection.sock is None:
        return True
    try:
        readable, _, _ = select.select([connection.sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _decoded(answer: http.client.HTTPResponse, content: bytes) -> bytes:
    if (answer.getheader("Content-Encoding") or "").lower() != "gzip":
        return content
    try:
        return zlib.decompress(content, 16 + zlib.MAX_WBITS)
    except zlib.error:
        return content  # shown as it came: http.py reports an answer that is not JSON
