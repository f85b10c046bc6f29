"""A latency probe that runs INSIDE a lab container, so it measures the lab network and not the host's ports.

    python3 probe.py N TOKEN label=url [label=url ...]

Sends N sequential GETs to each url, taking turns (after a warm-up, one kept-alive connection per url,
the token as a bearer), and prints {label: [milliseconds, ...], "_status": {label: {code: count}}} as JSON.
"""

import json
import sys
import time
from collections import Counter

import httpx

WARMUP = 20


def main() -> None:
    n, bearer, targets = int(sys.argv[1]), sys.argv[2], [a.split("=", 1) for a in sys.argv[3:]]
    headers = {"Authorization": f"Bearer {bearer}"} if bearer != "-" else {}
    clients = {label: httpx.Client(headers=headers, timeout=10) for label, _ in targets}
    times: dict[str, list[float]] = {label: [] for label, _ in targets}
    codes: dict[str, Counter] = {label: Counter() for label, _ in targets}
    for i in range(WARMUP + n):
        # Round robin: a hiccup of the machine hits every path alike instead of one of them.
        for label, url in targets:
            began = time.perf_counter()
            answer = clients[label].get(url)
            if i >= WARMUP:
                times[label].append((time.perf_counter() - began) * 1000)
                codes[label][answer.status_code] += 1
    out = {**times, "_status": {label: dict(c) for label, c in codes.items()}}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
