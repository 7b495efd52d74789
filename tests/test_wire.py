"""What users' networks expect of the platforms' client (requests underneath), over loopback:
kept-alive connections, gzip, proxies and NO_PROXY, CA bundles, no redirects."""

from __future__ import annotations

import base64
import gzip
import shutil
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest

from qarun.errors import PlatformError, TriggerUncertainError
from qarun.http import HttpClient, RetryPolicy
from qarun.request import Request
from tests.conftest import Serve
from tests.fakes.base import FakePlatform, Recorded, Reply

READ = Request("GET", "/status", what="run abc")
TRIGGER = Request("POST", "/trigger", body={"plan": "pln_1"}, what="test plan pln_1")
OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{"ok": true}'


class Echo(FakePlatform):
    def authorized(self, request: Recorded) -> bool:
        return True

    def route(self, request: Recorded) -> Reply:
        return Reply(200, {"ok": True, "host": request.headers.get("host")})


class BareServer:
    """Answers each connection's first request with `answer`, then hangs up without a word:
    at once, or (`linger`) only when a second request comes on that connection."""

    def __init__(
        self, answer: bytes = OK, tls: ssl.SSLContext | None = None, *, linger: bool = False
    ) -> None:
        self.answer = answer
        self.tls = tls
        self.linger = linger
        self.heads: list[str] = []
        self.hung_up = threading.Semaphore(0)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            try:
                if self.tls is not None:
                    connection = self.tls.wrap_socket(connection, server_side=True)
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = connection.recv(4096)
                    if not chunk:
                        break
                    head += chunk
                self.heads.append(head.decode("latin-1"))
                connection.sendall(self.answer)
                if self.linger:
                    self.heads.append(connection.recv(4096).decode("latin-1"))
            except OSError:
                pass  # a client that refused our certificate
            finally:
                connection.close()
                self.hung_up.release()

    def __enter__(self) -> BareServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.listener.close()


def client_for(url: str) -> HttpClient:
    return HttpClient(
        base_url=url,
        headers={"Authorization": "Bearer k"},
        sleep=lambda seconds: None,
        timeout=(2.0, 2.0),
        policy=RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.01),
    )


@pytest.fixture(autouse=True)
def no_proxy_nor_bundle_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    # The machine's own bundles would hide which variable was read.
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def echo(serve: Serve) -> Echo:
    return serve(Echo())


def test_a_connection_the_server_hung_up_is_replaced_not_failed() -> None:
    with BareServer() as server:
        client = client_for(f"http://127.0.0.1:{server.port}")
        assert client.send(TRIGGER) == {"ok": True}
        # The server closed that connection after answering; the trigger must not fail on it.
        assert server.hung_up.acquire(timeout=5)
        assert client.send(TRIGGER) == {"ok": True}
        assert len(server.heads) == 2


def test_a_read_the_server_hung_up_on_is_sent_again_on_a_new_connection() -> None:
    with BareServer(linger=True) as server:
        client = client_for(f"http://127.0.0.1:{server.port}")
        assert client.read(READ) == {"ok": True}
        # This one leaves on the kept-alive connection, which the server then closes unanswered.
        assert client.read(READ) == {"ok": True}
        assert len(server.heads) == 3


def test_a_trigger_the_server_hung_up_on_is_not_sent_again() -> None:
    with BareServer(linger=True) as server:
        client = client_for(f"http://127.0.0.1:{server.port}")
        assert client.read(READ) == {"ok": True}
        with pytest.raises(TriggerUncertainError):
            client.send(TRIGGER)
        assert [head.split(" ")[0] for head in server.heads] == ["GET", "POST"]


def test_gzip_answers_are_unpacked(echo: Echo) -> None:
    body = gzip.compress(b'{"ok": "packed"}')
    echo.inject("GET /status", Reply(200, raw=body, headers={"Content-Encoding": "gzip"}))
    assert client_for(echo.url).read(READ) == {"ok": "packed"}
    assert "gzip" in echo.requests[0].headers["accept-encoding"]


def test_json_bodies_and_query_parameters_arrive_as_sent(echo: Echo) -> None:
    client = client_for(echo.url)
    client.send(TRIGGER)
    client.read(Request("GET", "/status", params={"ids": "a,b c"}))
    trigger, read = echo.requests
    assert trigger.body == {"plan": "pln_1"}
    assert trigger.headers["content-type"] == "application/json"
    assert read.query == {"ids": ["a,b c"]}


def test_a_redirect_is_not_followed_and_names_where_it_points(echo: Echo) -> None:
    moved = Reply(301, headers={"Location": "https://api.example.com/v2/run"})
    echo.inject("POST /trigger", moved)
    with pytest.raises(PlatformError, match=r"api\.example\.com/v2/run.*`api-url`"):
        client_for(echo.url).send(TRIGGER)
    assert len(echo.requests) == 1


def test_plain_http_goes_through_the_proxy_of_the_environment(
    echo: Echo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", echo.url)
    answer = client_for("http://platform.invalid:8080/api").read(READ)
    assert answer["host"] == "platform.invalid:8080"
    assert echo.requests[0].path == "/api/status"


@pytest.mark.parametrize("bypass", ["127.0.0.1", "127.0.0.0/8", "localhost,127.0.0.1"])
def test_no_proxy_sends_straight_to_the_platform(
    echo: Echo, serve: Serve, monkeypatch: pytest.MonkeyPatch, bypass: str
) -> None:
    proxy = serve(Echo())
    monkeypatch.setenv("http_proxy", proxy.url)
    monkeypatch.setenv("no_proxy", bypass)
    client_for(echo.url).read(READ)
    assert proxy.requests == []
    assert len(echo.requests) == 1


def test_https_through_a_proxy_asks_for_a_tunnel_with_the_proxy_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refusal = b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n"
    with BareServer(refusal) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", f"http://qa:p%40ss@127.0.0.1:{proxy.port}")
        with pytest.raises(PlatformError, match="could not be reached") as caught:
            client_for("https://platform.invalid/api").send(TRIGGER)
        # Refused at the proxy: nothing reached the platform, so no doubt about the trigger.
        assert not isinstance(caught.value, TriggerUncertainError)
        head = proxy.heads[0]
        assert head.startswith("CONNECT platform.invalid:443 HTTP/1.")
        token = base64.b64encode(b"qa:p@ss").decode()
        assert f"Proxy-Authorization: Basic {token}" in head


@pytest.fixture
def certificate(tmp_path: Path) -> Path:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=DNS:localhost"),
        ],
        check=True,
        capture_output=True,
    )
    return tmp_path


@pytest.mark.parametrize("bundle", ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"])
def test_tls_is_verified_against_the_bundle_the_environment_names(
    certificate: Path, monkeypatch: pytest.MonkeyPatch, bundle: str
) -> None:
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    with BareServer(tls=tls) as server:
        url = f"https://localhost:{server.port}"
        with pytest.raises(PlatformError, match=r"could not be reached.*SSL"):
            client_for(url).read(READ)
        monkeypatch.setenv(bundle, str(certificate / "cert.pem"))
        assert client_for(url).read(READ) == {"ok": True}
