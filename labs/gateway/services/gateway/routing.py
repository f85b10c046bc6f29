"""Exercise 1 (gateway.routing): which service answers a request from outside, and at which path?

route(method, path, host) returns (service, path on that service), or None: then the gateway answers 404
itself, and no service ever sees the request. Services are named as in upstreams.SERVICES.
"""


def route(method: str, path: str, host: str) -> tuple[str, str] | None:
    # One rule to start from: /catalog/... goes to catalog, without the /catalog prefix.
    if path.startswith("/catalog/"):
        return "catalog", path.removeprefix("/catalog")
    return None
