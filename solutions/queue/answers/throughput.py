import time

import httpx


def measure(orders_url, n, batch):
    started = time.perf_counter()
    with httpx.Client(base_url=orders_url, timeout=10) as client:
        for _ in range(n):
            client.post("/orders", json={"sku": "ROBOT-1", "qty": 1, "batch": batch}).raise_for_status()
        while client.get(f"/batches/{batch}").json()["fulfilled"] < n:
            time.sleep(0.05)
    return n / (time.perf_counter() - started)
