"""Ready when the master's REST API answers and the build worker has connected to it."""

import json
import sys
import urllib.request

try:
    with urllib.request.urlopen("http://127.0.0.1:8010/api/v2/workers", timeout=2) as r:
        workers = json.load(r)["workers"]
except (OSError, ValueError, KeyError):
    sys.exit(1)
sys.exit(0 if any(w.get("connected_to") for w in workers) else 1)
