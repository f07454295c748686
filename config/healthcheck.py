"""The container's health check: does this web process answer /healthz/web/? Exit 0 or 1.

Standard library only, so it costs a few milliseconds rather than a Django start. It asks as
the load balancer would: the desk's own host name (the first of ALLOWED_HOSTS) over plain HTTP
on PORT, which production answers without redirecting to HTTPS.
"""

import http.client
import os
import sys


def main() -> int:
    host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".")
    if host in ("", "*"):
        host = "localhost"
    connection = http.client.HTTPConnection(
        "127.0.0.1", int(os.environ.get("PORT", "8000")), timeout=3
    )
    try:
        connection.request("GET", "/healthz/web/", headers={"Host": host})
        status = connection.getresponse().status
    except OSError as error:
        print(f"healthz/web: {error}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if status != 200:
        print(f"healthz/web: {status}", file=sys.stderr)
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
