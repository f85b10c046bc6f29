import asyncio

import httpx

# Each part has its own short deadline: a slow service must not hold the whole answer hostage.
PART_TIMEOUT = 1.0


async def _fetch(client: httpx.AsyncClient, url: str) -> tuple[int | None, dict | None]:
    try:
        answer = await client.get(url, timeout=PART_TIMEOUT)
    except httpx.HTTPError:
        return None, None
    return answer.status_code, answer.json() if answer.status_code == 200 else None


async def storefront(client, services: dict[str, str], product_id: int) -> tuple[int, dict]:
    # Both calls at once: the answer takes as long as the slower one, not the sum.
    (p_status, product), (s_status, sales) = await asyncio.gather(
        _fetch(client, f"{services['catalog']}/products/{product_id}"),
        _fetch(client, f"{services['orders']}/stats/{product_id}"),
    )
    if p_status == 404:
        return 404, {"error": f"no product {product_id}"}
    missing = [name for name, status in (("catalog", p_status), ("orders", s_status)) if status != 200]
    return 200, {
        "product_id": product_id,
        "product": {k: product[k] for k in ("id", "name", "price")} if product else None,
        "units_sold": sales["units_sold"] if sales else None,
        "partial": bool(missing),
        "missing": missing,
    }
