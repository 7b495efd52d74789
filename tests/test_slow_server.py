"""A server that answers one byte at a time never holds qarun past its `timeout` (SPEC.md,
Deadlines): the limit is on the whole request, not on each read."""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.contract import only
from tests.harness import run_action

# Headers that never end: without a bound on the whole request, qarun would wait forever.
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


@pytest.fixture
def dripping_server() -> Iterator[str]:
    """An HTTP server on loopback that sends its headers one byte every 0.2 s, forever."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed at the test's end
                return
            threading.Thread(target=drip, args=(connection,), daemon=True).start()

    def drip(connection: socket.socket) -> None:
        with connection:
            for byte in itertools.chain(HEAD, itertools.repeat(ord("x"))):
                if stop.wait(0.2):
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    listener.close()


@pytest.mark.parametrize("where", ["trigger", "wait-for-url"])
def test_a_server_dripping_bytes_cannot_hold_the_step_past_its_timeout(
    dripping_server: str, tmp_path: Path, where: str
) -> None:
    case = only("qualigate")
    inputs = {"provider": "qualigate", "api-key": "k-0123456789", **case.inputs, "timeout": "2s"}
    if where == "trigger":
        inputs["api-url"] = dripping_server
    else:
        inputs["api-url"] = "http://127.0.0.1:9"  # never reached: the URL never comes up
        inputs["wait-for-url"] = dripping_server + "/preview"
    # The server never finishes: the step ends only because the deadline bounds the whole
    # request (run_action fails the test if the process is still running after 60 s).
    result = run_action(tmp_path, inputs, timeout=60)
    assert result.exit_code in (1, 3), result.log
    assert "Traceback" not in result.log
    assert result.outputs["status"] in ("timeout", "error")
