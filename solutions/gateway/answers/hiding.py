import json
from urllib.parse import urlsplit

# Headers that tell the outside which software, container or port answered.
REVEALING = {"server", "x-served-by", "x-powered-by", "via"}


def scrub(service: str, status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
    headers = {k: v for k, v in headers.items() if k not in REVEALING}
    if "location" in headers:
        inside = urlsplit(headers["location"])
        if inside.netloc:  # an absolute URL of the service's own: the public path is the gateway's
            headers["location"] = f"/{service}{inside.path}"
    if status >= 500:
        # Whatever went wrong inside (a traceback, a debug page) stays inside.
        headers = {k: v for k, v in headers.items() if k != "content-type"}
        headers["content-type"] = "application/json"
        return 502, headers, json.dumps({"error": "the service failed; try again later"}).encode()
    return status, headers, body


def unreachable(url: str, error: Exception) -> tuple[int, dict]:
    return 503, {"error": "the service is unavailable; try again later"}
