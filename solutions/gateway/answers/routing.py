# Host rules first: a whole host that belongs to one service keeps its paths as they are.
HOSTS = {"catalog.shop.test": "catalog"}
# Path rules: the first segment names the service, and is taken off before the request goes on.
PREFIXES = {"catalog", "orders", "users"}


def route(method: str, path: str, host: str) -> tuple[str, str] | None:
    if host in HOSTS:
        return HOSTS[host], path
    first, _, rest = path.lstrip("/").partition("/")
    if first in PREFIXES:
        return first, "/" + rest
    return None
