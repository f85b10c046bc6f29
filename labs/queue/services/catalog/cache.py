"""Exercise 6: cache-aside in front of the catalog's database. r is a Redis client (strings in and out)."""

import json  # noqa: F401 (Redis stores strings: json.dumps / json.loads)

TTL_SECONDS = 60


def get_product(r, sku, load):
    """Return the product `sku`; load(sku) reads it from the (slow) database and returns a dict or None."""
    return load(sku)


def update_product(r, sku, product, save):
    """Change the product `sku`; save(sku, product) writes it to the database."""
    save(sku, product)
