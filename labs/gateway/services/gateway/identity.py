"""Exercise 2 (gateway.identity): who is calling, and what may the services believe about it?

identify(authorization) gets the Authorization header (or None) and returns {"sub": ..., "roles": [...]}
for a caller with a valid token, or None (the gateway answers 401).
trusted_headers(incoming, who) returns the headers to send to the service (names in lower case).
"""


def identify(authorization: str | None) -> dict | None:
    # For now everyone is let in, as an anonymous customer.
    return {"sub": "anonymous", "roles": ["customer"]}


def trusted_headers(incoming: dict[str, str], who: dict) -> dict[str, str]:
    # For now the client's headers go through as they came.
    return dict(incoming)
