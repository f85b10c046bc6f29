import json

TTL_SECONDS = 60


def get_product(r, sku, load):
    key = f"product:{sku}"
    cached = r.get(key)
    if cached is not None:
        return json.loads(cached)  # a hit: no database query at all
    product = load(sku)
    if product is not None:
        r.set(key, json.dumps(product), ex=TTL_SECONDS)  # a miss: fill the cache, with an expiry
    return product


def update_product(r, sku, product, save):
    save(sku, product)  # the database first ...
    r.delete(f"product:{sku}")  # ... then drop the cached copy: the next read loads the new one
