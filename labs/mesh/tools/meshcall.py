"""Calls into the mesh from inside the control container (it holds the CA, so it can mint certificates).

    python3 meshcall.py tls TARGET MODE [IDENTITY] [PATH]   MODE: plain | nocert | other-ca | mesh
    python3 meshcall.py stats INSTANCE REGEX

tls prints {"status": 200} when TARGET's sidecar (its mesh port, 15006) answered, or {"refused": "..."} when it
would not talk; `mesh` presents a certificate from the mesh's CA for IDENTITY (a service name), `other-ca` one
for the same SPIFFE ID from a CA nobody trusts. stats prints the sidecar's counters matching REGEX as JSON.
"""

import json
import socket
import ssl
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, "/srv/control")

MESH_PORT = 15006


def certificate(mode: str, identity: str) -> tuple[str, str] | None:
    from ca import Authority, issue, make_root, spiffe_id

    if mode == "mesh":
        mesh = Authority()
        return issue(mesh.key, mesh.cert, spiffe_id(identity))
    if mode == "other-ca":
        key, cert = make_root("someone else's root")
        return issue(key, cert, spiffe_id(identity))
    return None


def tls_call(target: str, mode: str, identity: str, path: str) -> dict:
    request = f"GET {path} HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\n\r\n".encode()
    try:
        sock = socket.create_connection((target, MESH_PORT), timeout=5)
    except OSError as exc:
        return {"refused": f"no connection: {exc}"}
    try:
        if mode != "plain":
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # this caller tests the server's door, not the server
            pair = certificate(mode, identity)
            if pair is not None:
                folder = Path(tempfile.mkdtemp())
                (folder / "c.pem").write_text(pair[0])
                (folder / "k.pem").write_text(pair[1])
                context.load_cert_chain(folder / "c.pem", folder / "k.pem")
            sock = context.wrap_socket(sock, server_hostname=target)
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    except (OSError, ssl.SSLError) as exc:
        return {"refused": f"{type(exc).__name__}: {exc}"}
    finally:
        sock.close()
    if not data.startswith(b"HTTP/"):
        return {"refused": f"no HTTP answer ({data[:60]!r})"}
    head, _, body = data.partition(b"\r\n\r\n")
    return {"status": int(head.split()[1]), "body": body.decode(errors="replace")[-300:]}


def stats(instance: str, regex: str) -> dict:
    query = urllib.parse.urlencode({"filter": regex})
    text = urllib.request.urlopen(f"http://{instance}:9901/stats?{query}", timeout=5).read().decode()
    out = {}
    for line in text.splitlines():
        name, _, value = line.partition(": ")
        if value.strip().isdigit():
            out[name] = int(value)
    return out


if __name__ == "__main__":
    if sys.argv[1] == "tls":
        args = sys.argv[2:] + [""] * 3
        print(json.dumps(tls_call(args[0], args[1], args[2] or "catalog", args[3] or "/ping")))
    elif sys.argv[1] == "stats":
        print(json.dumps(stats(sys.argv[2], sys.argv[3])))
