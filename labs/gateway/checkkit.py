"""Helpers shared by the gateway lab's checks (public and hidden): tokens, calls through the edge, leaks.

Every call goes to the only published port (Traefik's); looking inside uses lab.exec.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx

from msalab.lab import Lab

SECRETS = {name: f"{name}-secret" for name in ("alice", "bob", "carol", "dave", "erin", "mallory")}
INTERNAL_NAMES = ("catalog:", "orders:", "users:", "idp:", "gateway:", "//catalog", "//orders", "//users", ":8000")


def edge(lab: Lab) -> str:
    return lab.url("traefik")


def token(lab: Lab, who: str, expires_in: int = 300) -> str:
    answer = httpx.post(
        f"{edge(lab)}/auth/token",
        json={"client_id": who, "client_secret": SECRETS[who], "expires_in": expires_in},
        timeout=10,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def call(
    lab: Lab,
    method: str,
    path: str,
    who: str | None = None,
    *,
    bearer: str | None = None,
    headers: dict[str, str] | None = None,
    patient: bool = True,
    **kwargs: Any,
) -> httpx.Response:
    """One request through the edge, as `who` (a fresh token) or with `bearer`; waits out a 429 if patient."""
    sent = dict(headers or {})
    if who is not None:
        bearer = token(lab, who)
    if bearer is not None:
        sent["Authorization"] = f"Bearer {bearer}"
    deadline = time.monotonic() + 15
    while True:
        answer = httpx.request(method, f"{edge(lab)}{path}", headers=sent, timeout=10, **kwargs)
        if answer.status_code != 429 or not patient or time.monotonic() > deadline:
            return answer
        time.sleep(min(float(answer.headers.get("retry-after", "1") or 1), 3))


def internal_names(lab: Lab) -> list[str]:
    """What the outside must never see: the services' aliases with a port, and their containers' host names."""
    hosts = []
    for service in ("catalog", "orders", "users", "idp", "gateway"):
        hosts.append(str(lab.container(service).attrs["Config"]["Hostname"]))
    return [*INTERNAL_NAMES, *hosts]


def leaks(lab: Lab, answer: httpx.Response) -> list[str]:
    """What in an answer (headers and body) gives the inside away."""
    seen = "\n".join(f"{k}: {v}" for k, v in answer.headers.items()) + "\n" + answer.text
    found = [name for name in internal_names(lab) if name in seen]
    if "Traceback" in answer.text or 'File "' in answer.text:
        found.append("a stack trace")
    if answer.headers.get("server", "").lower().startswith("uvicorn"):
        found.append("server: uvicorn")
    if "x-served-by" in answer.headers:
        found.append("x-served-by")
    return found


def inside_json(lab: Lab, service: str, path: str) -> Any:
    """GET a service's own endpoint from inside its container: what the service itself says."""
    url = f"http://localhost:8000{path}"
    code = f"import urllib.request; print(urllib.request.urlopen({url!r}, timeout=5).read().decode())"
    done = lab.exec(service, ["python3", "-c", code])
    if done.exit_code != 0:
        raise AssertionError(f"asking {service} for {path} from inside failed: {done.output[-300:]}")
    return json.loads(done.output)


def tampered(jwt_token: str, **changes: Any) -> str:
    """The same token with its claims changed and its signature kept: what an attacker can make."""
    header, payload, signature = jwt_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def signed_by_idp(lab: Lab, jwt_token: str, **changes: Any) -> str:
    """The token's claims with these changes, validly signed by the lab's own identity provider (its key never
    leaves the idp container, so the signing happens in there): only the claims can make it wrong."""
    payload = jwt_token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    code = "import json, sys, jwt, app; print(jwt.encode(json.loads(sys.argv[1]), app.KEY, algorithm='RS256'))"
    done = lab.exec("idp", ["python3", "-c", code, json.dumps(claims)])
    lines = done.output.strip().splitlines()
    if done.exit_code != 0 or not lines:
        raise AssertionError(f"signing a token inside idp failed: {done.output[-300:]}")
    return lines[-1].strip()


def unsigned(jwt_token: str, **changes: Any) -> str:
    """The token's claims with "alg": "none" and no signature at all."""
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    payload = tampered(jwt_token, **changes).split(".")[1]
    return f"{header}.{payload}."


def wait_until(condition: Any, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())
