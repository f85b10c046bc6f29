"""Host ports for published container ports: always on 127.0.0.1, chosen up front so they survive restarts."""

from __future__ import annotations

import socket

from msalab.errors import PortInUse

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def ensure_free(port: int, what: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError:
            raise PortInUse(
                f"Port {port} on {HOST}, asked for {what}, is already in use; stop whatever holds it "
                f"(`ss -ltnp 'sport = :{port}'` shows it) or ask for another port."
            ) from None
