"""Container health check: exit 0 when this container's `quantdesk-backend` answers
``GET /health`` with ``{"status": "ok"}``, 1 otherwise (both roles serve /health)."""

from __future__ import annotations

import json
import os
import sys
import urllib.request

TIMEOUT_S = 2.0
ANY_ADDRESS = ("", "0.0.0.0", "::", "[::]")


def health_url(environ: dict[str, str]) -> str:
    """The /health URL of the server these QUANTDESK_* settings describe."""
    host = environ.get("QUANTDESK_HOST", "127.0.0.1")
    if host in ANY_ADDRESS:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    port = environ.get("QUANTDESK_PORT", "8765")
    return f"http://{host}:{port}/health"


def main() -> int:
    """Probe once; print why on failure (docker keeps the output of failed checks)."""
    url = health_url(dict(os.environ))
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as answer:
            body = json.load(answer)
    except (OSError, ValueError) as error:  # URLError and timeouts are OSErrors
        print(f"unhealthy: {url}: {error}", file=sys.stderr)
        return 1
    if not isinstance(body, dict) or body.get("status") != "ok":
        print(f"unhealthy: {url} answered {body}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
