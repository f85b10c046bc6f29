import httpx


class Unavailable(Exception):
    """The page cannot be composed at all."""


TIMEOUT = httpx.Timeout(1.0)


def fetch(url: str, **params):
    """The JSON answer, or None when the service cannot answer (down, slow, or an error status)."""
    try:
        answer = httpx.get(url, params=params or None, timeout=TIMEOUT)
    except httpx.HTTPError:
        return None
    return answer.json() if answer.status_code == 200 else None


def orders_page(urls: dict, customer_id: str) -> dict:
    degraded = []
    orders = fetch(f"{urls['orders']}/orders", customer=customer_id)
    if orders is None:
        raise Unavailable("orders cannot answer: there is no page without the orders")
    customer = fetch(f"{urls['customer']}/customers/{customer_id}")
    if customer is None:
        degraded.append("customer")
    skus = sorted({line["sku"] for order in orders for line in order["lines"]})
    products = fetch(f"{urls['catalog']}/products", sku=",".join(skus)) if skus else []
    if products is None:
        degraded.append("catalog")
        products = []
    by_sku = {p["sku"]: p for p in products}
    page_orders = [
        {
            "id": order["id"],
            "lines": [
                {
                    "sku": line["sku"],
                    "qty": line["qty"],
                    "name": by_sku.get(line["sku"], {}).get("name"),
                    "price": by_sku.get(line["sku"], {}).get("price"),
                }
                for line in order["lines"]
            ],
        }
        for order in orders
    ]
    return {"customer": customer, "orders": page_orders, "degraded": degraded}
