"""Exercise 3 (gateway.policy): what a consumer may do, and how often.

take(consumer, now) is called once per request (now: seconds, monotonic). It returns (allowed, headers):
the headers go on the answer, whatever it is; when allowed is False the gateway answers 429 with them.
allowed(roles, method, path) says whether a caller with these roles may call this public path (else 403).
"""


def take(consumer: str, now: float) -> tuple[bool, dict[str, str]]:
    # For now there is no limit.
    return True, {}


def allowed(roles: list[str], method: str, path: str) -> bool:
    # For now everyone may do everything.
    return True
