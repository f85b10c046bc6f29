"""Exercise 4 (gateway.hiding): what the outside may see of an answer.

scrub(service, status, headers, body) gets a service's answer (header names in lower case) and returns the
(status, headers, body) the client gets. unreachable(url, error) says what to answer, as (status, JSON body),
when a service could not be reached at all.
"""


def scrub(service: str, status: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
    # For now the service's answer goes out as it is.
    return status, headers, body


def unreachable(url: str, error: Exception) -> tuple[int, dict]:
    return 502, {"error": f"could not reach {url}: {error!r}"}
