import math

# A token bucket per consumer: a burst of CAPACITY requests, then RATE requests per second.
CAPACITY = 10
RATE = 2.0
_buckets: dict[str, tuple[float, float]] = {}  # consumer -> (tokens left, when last counted)


def take(consumer: str, now: float) -> tuple[bool, dict[str, str]]:
    tokens, last = _buckets.get(consumer, (CAPACITY, now))
    tokens = min(CAPACITY, tokens + (now - last) * RATE)
    headers = {"X-RateLimit-Limit": str(CAPACITY)}
    if tokens >= 1:
        tokens -= 1
        _buckets[consumer] = (tokens, now)
        headers["X-RateLimit-Remaining"] = str(int(tokens))
        return True, headers
    _buckets[consumer] = (tokens, now)
    headers["X-RateLimit-Remaining"] = "0"
    headers["Retry-After"] = str(math.ceil((1 - tokens) / RATE))
    return False, headers


def allowed(roles: list[str], method: str, path: str) -> bool:
    if "admin" in roles:
        return True
    if "customer" not in roles or path.startswith("/users/admin"):
        return False
    if method == "GET":
        return True
    return path in ("/orders", "/orders/")  # customers may place orders, and change nothing else
