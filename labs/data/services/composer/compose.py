"""API composition: one answer from three services, each asked through its API.

orders_page(urls, customer_id) returns the page "my orders":

    {"customer": {"id": "c1", "name": "Ada Lovelace", "city": "London"},     # from customer
     "orders": [{"id": "o-1", "lines": [{"sku": "lamp", "qty": 2,            # from orders
                                         "name": "Desk lamp", "price": 3900}]}],   # name and price from catalog
     "degraded": []}                                                         # services that could not answer

urls maps "orders", "catalog" and "customer" to their base URLs. Their APIs:
    GET {orders}/orders?customer=<id>        -> [{"id", "customer", "lines": [{"sku", "qty"}]}]
    GET {catalog}/products?sku=lamp,mug      -> [{"sku", "name", "price"}]
    GET {customer}/customers/<id>            -> {"id", "name", "city"}

Raise Unavailable when the page cannot be made at all (the app answers 503).
"""

import httpx


class Unavailable(Exception):
    """The page cannot be composed at all."""


def orders_page(urls: dict, customer_id: str) -> dict:
    orders = httpx.get(f"{urls['orders']}/orders", params={"customer": customer_id}).json()
    return {"customer": None, "orders": orders, "degraded": []}
