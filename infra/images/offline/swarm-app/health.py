"""`python3 /app/health.py`: exit 0 when the service on this task answers GET /health with 200 (a health check
for images without curl)."""

import os
import sys
import urllib.request

try:
    urllib.request.urlopen(f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/health", timeout=2)
except Exception:
    sys.exit(1)
