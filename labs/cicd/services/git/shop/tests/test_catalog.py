from app import catalog


def test_known_products_are_found() -> None:
    assert catalog.find(1) is not None
    assert catalog.find(99) is None


def test_price_with_tax_rounds_half_up() -> None:
    assert catalog.price_with_tax(catalog.Product(9, "x", 1000)) == 1200
    assert catalog.price_with_tax(catalog.Product(9, "x", 3)) == 4  # 3.6 rounds up
