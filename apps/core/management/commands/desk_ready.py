"""`manage.py desk_ready`: `make run`'s last word, once the web app, worker and beat all answer.

The web app prints its start-up banner (the worker and beat print only warnings and errors,
see Procfile.dev); this one waits for /healthz/ to say the database, broker and a worker
heartbeat are well, then prints where the desk is and the demo's logins, so they are the last
lines on screen. It then waits quietly: honcho stops every process when one of them ends, and
an interrupt or SIGTERM at any moment ends this one without a traceback.
"""

import json
import signal
import sys
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand

LOGINS_FILE = "demo-logins.txt"
# After /healthz/ answers, long enough for the web app to log that request first.
SETTLE_SECONDS = 0.5


def desk_health(url: str) -> dict | None:
    """/healthz/'s answer, or None while the web app does not answer at all."""
    try:
        with urllib.request.urlopen(f"{url}/healthz/", timeout=5) as answer:  # nosec B310
            return json.load(answer)
    except urllib.error.HTTPError as error:  # 503: up, but something is not well yet
        return json.load(error)
    except (OSError, ValueError):
        return None


class Command(BaseCommand):
    help = "Wait until the desk, its worker and beat answer, then say where it is."

    def add_arguments(self, parser):
        # SITE_URL, which `make run` sets to the web process's address (honcho gives each
        # process a PORT of its own, so this one's PORT is not the web app's).
        parser.add_argument("--url", default=settings.SITE_URL)
        parser.add_argument("--timeout", type=float, default=180.0)
        parser.add_argument("--once", action="store_true", help="Exit after saying it.")

    def handle(self, *args, url, timeout, once, **options):
        if not once:
            # Under `make run`, stopping at any moment (Ctrl-C, honcho stopping everything) is
            # normal: quietly, whether it still waits or already said where the desk is.
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
        # Reviewed: the URL is the operator's own (SITE_URL or --url), http(s) on their machine.
        url = url.rstrip("/")
        deadline = time.monotonic() + timeout
        ready = (desk_health(url) or {}).get("ok")
        while not ready and time.monotonic() < deadline:
            time.sleep(1)
            ready = (desk_health(url) or {}).get("ok")
        if ready:
            time.sleep(SETTLE_SECONDS)
            self.stdout.write(self.style.SUCCESS(f"\nSwitchboard is ready: {url}/"))
            self.stdout.write(
                f"  API {url}/api/v1/ (docs {url}/api/docs/), health {url}/healthz/, "
                f"e-mail sent: {settings.EMAIL_FILE_PATH}\n"
            )
        else:
            self.stdout.write(
                self.style.WARNING(f"\nSwitchboard answers slowly or not fully: {url}/healthz/")
            )
        logins = settings.VAR_DIR / LOGINS_FILE
        if logins.exists():
            self.stdout.write(logins.read_text())
        self.stdout.write("Ctrl-C stops the web app, the worker and beat.\n")
        sys.stdout.flush()
        if not once:
            while True:
                signal.pause()
