import httpx


def greet_via_front(base_url: str, name: str) -> str:
    try:
        answer = httpx.get(f"{base_url}/hello/{name}", timeout=5.0)
    except httpx.HTTPError:
        return "unavailable"
    if answer.status_code != 200:
        return "unavailable"
    return answer.json()["greeting"]
