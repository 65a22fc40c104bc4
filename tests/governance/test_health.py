"""Free ports that parallel processes cannot both be handed, and a health check that a
non-HTTP service on the port answers "not healthy" instead of raising."""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest

from governance.health import RESERVATION_SECONDS, free_port, is_healthy, reserve_port

pytestmark = pytest.mark.unit


def test_a_claimed_port_is_refused_until_its_claim_is_stale(tmp_path):
    assert reserve_port(40123, tmp_path)
    assert not reserve_port(40123, tmp_path), "a fresh claim must not be won twice"
    old = time.time() - RESERVATION_SECONDS - 1
    os.utime(tmp_path / "40123", (old, old))
    assert reserve_port(40123, tmp_path), "a claim older than an hour is taken over"
    assert not reserve_port(40123, tmp_path)


def test_free_port_never_hands_out_a_port_claimed_by_another_process(tmp_path):
    first = free_port(tmp_path)
    claimed = {first}
    for _ in range(30):
        port = free_port(tmp_path)
        assert port not in claimed
        claimed.add(port)
    assert {int(p.name) for p in tmp_path.iterdir() if p.name.isdigit()} == claimed


def test_free_port_skips_a_port_the_kernel_offers_again(tmp_path, monkeypatch):
    """The kernel may offer a port another process was just given; free_port passes it by."""
    taken = free_port(tmp_path)
    offers = iter([taken, taken])
    real_bind = socket.socket.bind

    def bind(self, address):
        offer = next(offers, 0)
        return real_bind(self, (address[0], offer))

    monkeypatch.setattr(socket.socket, "bind", bind)
    port = free_port(tmp_path)
    assert port != taken


def test_a_port_that_answers_something_other_than_http_is_not_healthy():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]

        def answer():  # a database's greeting, which http.client cannot parse
            conn, _ = server.accept()
            with conn:
                conn.recv(1024)
                conn.sendall(b"\xff\x00\x00\x00\x00\x00\x00\x00\n")

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        assert is_healthy(f"http://127.0.0.1:{port}", timeout=5) is False
        thread.join(5)
