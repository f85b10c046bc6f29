"""Where the services live, on the lab network only; and the identity provider's public key."""

import functools
import time

import httpx

SERVICES = {
    "catalog": "http://catalog:8000",
    "orders": "http://orders:8000",
    "users": "http://users:8000",
}
IDP_URL = "http://idp:8000"


@functools.cache
def idp_public_key() -> str:
    """The PEM that verifies the identity provider's tokens; fetched once (the idp may still be starting)."""
    deadline = time.monotonic() + 15
    while True:
        try:
            answer = httpx.get(f"{IDP_URL}/auth/public-key", timeout=2.0)
            answer.raise_for_status()
            return answer.text
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
