"""Exercise 5 (gateway.aggregate): one answer composed from two services.

storefront(client, services, product_id) returns (status, JSON body) for GET /storefront/{product_id}:
the product from catalog and its units sold from orders. client is an httpx.AsyncClient; services maps
a service's name to its base URL (upstreams.SERVICES).
"""


async def storefront(client, services: dict[str, str], product_id: int) -> tuple[int, dict]:
    return 501, {"error": "not implemented yet"}
