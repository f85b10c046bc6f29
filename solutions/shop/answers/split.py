def split() -> dict[str, str]:
    # cart, order and shipping share tables (cart_items, order_lines) and call each other both ways:
    # they stay together. catalog asks inventory on every page: together too. Payment and customer
    # are called, never calling back: each can be a service of its own.
    return {
        "catalog": "storefront",
        "inventory": "storefront",
        "cart": "sales",
        "order": "sales",
        "shipping": "sales",
        "payment": "payment",
        "customer": "customer",
    }
