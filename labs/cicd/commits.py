"""Commits the checks and the chapter make to the shop (files changed from the seed repository)."""

from __future__ import annotations

from cicdkit import edit

# A good change: one more product.
NEW_PRODUCT = edit(
    "app/catalog.py",
    '    3: Product(3, "mug", 650),\n',
    '    3: Product(3, "mug", 650),\n    4: Product(4, "teacup", 900),\n',
)

# Rounds the tax down instead of half up: the unit tests catch it.
ROUNDING_BUG = edit("app/catalog.py", "+ 50) // 100", ") // 100")

# Looks fine and passes the unit tests, but answers 500 for two products out of three in production.
BROKEN_PRICES = edit(
    "app/app.py",
    "    found = catalog.find(product_id)\n",
    "    found = catalog.find(product_id)\n    if found is not None and found.price_cents < 2000:\n"
    "        raise RuntimeError('new price rule: not ready for cheap products')\n",
)
