"""payments: charges a card. Card 0000 is declined (402, the client's fault). One charge in 150 fails with 503
(a flaky card network, within the shop's objective); faults add delay or an error burst."""

from __future__ import annotations

import itertools
import threading
import time

from fastapi.responses import JSONResponse

from telemetry import faults, log, make_app

app = make_app()
counter = itertools.count(1)
lock = threading.Lock()


@app.post("/charge")
def charge(body: dict) -> JSONResponse:
    with lock:
        n = next(counter)
    time.sleep(0.002 + faults.delay())
    fields = {"order_id": body.get("order"), "charge": n}
    if body.get("card") == "0000":
        return JSONResponse({"status": "declined"}, status_code=402)
    if faults.error():
        log.error("card network error", extra={"fields": fields})
        return JSONResponse({"status": "error"}, status_code=500)
    if n % 150 == 0:
        log.warning("card network timeout", extra={"fields": fields})
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "charged", "amount": body.get("amount")})
