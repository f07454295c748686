"""CI: the production path, end to end, as an operator starts it.

`make prod` (production settings: DEBUG off, gunicorn with config/gunicorn.conf.py, a Celery
worker and beat under honcho, migrate and collectstatic first) runs on this machine's PostgreSQL
(a database of its own, dropped and made afresh) and Redis (a database number of its own), with
e-mail written to files. One requester then:

1. gets an API token and opens a ticket through the REST API, with an X-Request-ID;
2. waits for the worker to write the acknowledgement e-mail (outbox -> Redis -> worker -> file);
3. sees /healthz/ report database, cache, broker, worker heartbeat and outbox well;
4. fetches the stylesheet through WhiteNoise under its hashed name: compressed, cached ten years.

Then SIGTERM stops everything, which must be gone within the time bound, and the logs must be
JSON lines carrying the request's id: gunicorn's access line, and the worker's task lines. Any
step not done in time fails the run loudly, with every process's output.

Usage: .venv/bin/python .ci/prod_smoke.py   (after `make install`; .ci/run calls it)
  PROD_SMOKE_DB (default switchboard_prod_smoke) and PROD_SMOKE_REDIS_DB (default 15) choose
  what it may wipe; PROD_SMOKE_PORT the port (default: a free one).
"""

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("PROD_SMOKE_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("PROD_SMOKE_DB", "switchboard_prod_smoke")
REDIS_URL = f"redis://127.0.0.1:6379/{os.environ.get('PROD_SMOKE_REDIS_DB', '15')}"
BOUND = 90.0  # seconds any one step may take
START_BOUND = 300.0  # migrate from an empty database and collectstatic come first
STOP_BOUND = 45.0  # seconds for every process to be gone after SIGTERM


class SmokeFailed(Exception):
    pass


def say(text: str) -> None:
    print(f"prod-smoke: {text}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(what: str, attempt, bound: float = BOUND, desk=None):
    """attempt() until it returns something truthy; fails after `bound` seconds, or at once
    when the desk's processes have stopped."""
    deadline = time.monotonic() + bound
    last = None
    while time.monotonic() < deadline:
        if desk is not None and not desk.processes():
            raise SmokeFailed(f"{what}: `make prod` stopped")
        try:
            found = attempt()
        except (OSError, urllib.error.URLError, ValueError) as error:
            found, last = None, error
        if found:
            return found
        time.sleep(0.5)
    raise SmokeFailed(
        f"{what}: not within {bound:.0f} s" + (f" (last error: {last})" if last else "")
    )


def fresh_services(db_name: str = DB_NAME, redis_url: str = REDIS_URL) -> None:
    import psycopg
    import redis

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db_name}"')
    redis.Redis.from_url(redis_url).flushdb()


def prod_env(*, port: int, work: Path, db_name: str = DB_NAME, redis_url: str = REDIS_URL) -> dict:
    """The environment `make prod` runs with here: production settings on the loopback, its
    own database and Redis database, e-mail written to files in ``work``/mail."""
    base = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": base,
        # Plain HTTP on the loopback: no redirect to HTTPS (cookies stay Secure; the API uses
        # a token, not a session).
        "SECURE_SSL_REDIRECT": "False",
        "DATABASE_URL": f"{PG}/{db_name}",
        "REDIS_URL": redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(work / "mail"),
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "HEALTH_TOKEN": secrets.token_hex(16),
        "METRICS_TOKEN": secrets.token_hex(16),
        "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "CELERY_CONCURRENCY": "1",
    }
    env.pop("DEBUG", None)
    env.pop("EMAIL_URL", None)
    return env


class Desk:
    """`make prod` in a process group of its own, its output kept (and echoed on failure)."""

    def __init__(self, env: dict, log: Path):
        self.lines: list[str] = []
        self.seen: set[int] = set()  # every process of the desk met so far
        self.log = log
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "prod"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        with self.log.open("w") as out:
            for line in self.process.stdout:
                self.lines.append(line.rstrip("\n"))
                out.write(line)
                out.flush()

    def records(self, process: str) -> list[dict]:
        """The JSON log records one honcho process ("web", "worker", "beat") printed."""
        found = []
        for line in list(self.lines):
            # honcho's prefix: "16:45:22 web.1    | …"
            prefix, _, rest = line.partition("|")
            if not re.fullmatch(rf"\S+ {process}\.\d+\s*", prefix):
                continue
            rest = rest.strip()
            if rest.startswith("{"):
                try:
                    found.append(json.loads(rest))
                except ValueError:
                    continue
        return found

    def processes(self) -> set[int]:
        """make, honcho and everything under them (honcho starts each process in a session of
        its own, so a process group does not reach them)."""
        self.seen |= {self.process.pid, *descendants(self.process.pid)}
        return {pid for pid in self.seen if alive(pid)}

    def stop(self) -> float:
        """SIGTERM to make and honcho, as Ctrl-C in a terminal would; honcho passes it on.
        Seconds until every process was gone."""
        started = time.monotonic()
        running = self.processes()
        os.killpg(self.process.pid, signal.SIGTERM)
        deadline = started + STOP_BOUND
        while time.monotonic() < deadline and any(map(alive, running)):
            self.process.poll()
            time.sleep(0.2)
        left = [pid for pid in running if alive(pid)]
        if left:
            self.kill(left)
            raise SmokeFailed(f"processes {left} still running {STOP_BOUND:.0f} s after SIGTERM")
        self.reader.join(timeout=5)
        return time.monotonic() - started

    def kill(self, pids=None) -> None:
        for pid in pids or self.processes() | self.seen:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Running, and not a zombie waiting for its parent to read its exit."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def http(url: str, *, data: dict | None = None, headers: dict | None = None, timeout=10):
    """(status, headers, body) of one request; no redirects followed, errors are answers."""
    request = urllib.request.Request(
        url,
        data=json.dumps(data).encode() if data is not None else None,
        headers={
            **({"Content-Type": "application/json"} if data is not None else {}),
            **(headers or {}),
        },
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as answer:  # our own server on 127.0.0.1
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def refuses_without_services(env: dict) -> None:
    """`make prod` without DATABASE_URL stops at once and says what is missing."""
    bare = {k: v for k, v in env.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    run = subprocess.run(
        ["make", "--no-print-directory", "prod"],
        cwd=ROOT,
        env=bare,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if run.returncode == 0 or "DATABASE_URL" not in run.stderr:
        raise SmokeFailed(
            f"make prod without DATABASE_URL did not refuse:\n{run.stdout}{run.stderr}"
        )
    said = next(line for line in run.stderr.splitlines() if "DATABASE_URL" in line)
    say(f"refused without DATABASE_URL: {said}")


def make_requester(env: dict, email: str, password: str) -> None:
    code = (
        "from apps.accounts.models import User; "
        f"User.objects.create_user(email={email!r}, password={password!r}, full_name='Smoke Test')"
    )
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
        check=True,
        timeout=60,
    )


def drive(desk: Desk, env: dict, base: str, mail_dir: Path) -> None:
    wait_for(
        "the web app answers /healthz/web/",
        lambda: http(f"{base}/healthz/web/")[0] == 200,
        bound=START_BOUND,
        desk=desk,
    )
    say("gunicorn answers /healthz/web/")

    email, password = "smoke@example.com", secrets.token_urlsafe(16)
    make_requester(env, email, password)
    status, _, body = http(
        f"{base}/api/v1/auth/token/", data={"email": email, "password": password}
    )
    if status != 200:
        raise SmokeFailed(f"token: {status} {body[:500]!r}")
    token = json.loads(body)["token"]

    request_id = f"smoke-{secrets.token_hex(8)}"
    status, headers, body = http(
        f"{base}/api/v1/tickets/",
        data={"subject": "Printer on floor 3 is jammed", "description": "Paper stuck in tray 2."},
        headers={"Authorization": f"Token {token}", "X-Request-ID": request_id},
    )
    if status != 201:
        raise SmokeFailed(f"ticket create: {status} {body[:500]!r}")
    if headers.get("X-Request-ID") != request_id:
        raise SmokeFailed(f"the answer's X-Request-ID is {headers.get('X-Request-ID')!r}")
    reference = json.loads(body)["reference"]
    say(f"opened {reference} through the API (X-Request-ID {request_id})")

    def acknowledgement():
        for path in mail_dir.glob("*.log"):
            text = path.read_text(errors="replace")
            if reference in text and email in text:
                return path
        return None

    mail = wait_for("the worker writes the acknowledgement e-mail", acknowledgement, desk=desk)
    say(f"the worker sent the acknowledgement: {mail.name}")

    def healthy():
        status, _, body = http(f"{base}/healthz/", headers={"X-Health-Token": env["HEALTH_TOKEN"]})
        report = json.loads(body)
        return report if status == 200 and report.get("ok") else None

    report = wait_for("/healthz/ reports every service well", healthy, desk=desk)
    say("healthz: " + ", ".join(f"{name} ok" for name in report if name != "ok"))

    # Prometheus: every gunicorn and worker process writes to make prod's PROMETHEUS_MULTIPROC_DIR
    # and the scrape adds them up, whichever web process answers.
    if http(f"{base}/metrics")[0] != 401:
        raise SmokeFailed("/metrics answered without the token")
    wanted = [
        'switchboard_tickets_created_total{channel="api"} 1.0',
        'switchboard_celery_tasks_total{state="success",task="apps.core.tasks.send_outbox_message"}',
    ]

    def scraped():
        status, _, body = http(
            f"{base}/metrics", headers={"Authorization": f"Bearer {env['METRICS_TOKEN']}"}
        )
        text = body.decode(errors="replace")
        return text if status == 200 and all(w in text for w in wanted) else None

    wait_for("/metrics counts the ticket and the worker's e-mail task", scraped, desk=desk)
    say("metrics: the ticket (web) and the e-mail task (worker) counted")

    status, _, body = http(f"{base}/accounts/sign-in/")
    match = re.search(rb'href="(/static/css/app\.[0-9a-f]{12}\.css)"', body)
    if status != 200 or not match:
        raise SmokeFailed(f"sign-in page ({status}) links no hashed stylesheet")
    stylesheet = match.group(1).decode()
    status, headers, body = http(f"{base}{stylesheet}", headers={"Accept-Encoding": "gzip"})
    cache = headers.get("Cache-Control", "")
    if status != 200 or "max-age=315360000" not in cache or "immutable" not in cache:
        raise SmokeFailed(f"{stylesheet}: {status}, Cache-Control {cache!r}")
    if headers.get("Content-Encoding") != "gzip":
        raise SmokeFailed(
            f"{stylesheet} is not served compressed ({headers.get('Content-Encoding')})"
        )
    say(f"WhiteNoise serves {stylesheet}: gzip, Cache-Control {cache}")

    # The access line of the create, and the worker's lines of the task it enqueued.
    def access_line():
        return [
            r
            for r in desk.records("web")
            if r.get("request_id") == request_id and r.get("path") == "/api/v1/tickets/"
        ]

    line = wait_for("gunicorn's JSON access line with the request id", access_line, bound=10)[0]
    say(f"access log: {json.dumps(line)}")
    task_lines = wait_for(
        "worker log lines with the request id and a task id",
        lambda: [
            r
            for r in desk.records("worker")
            if r.get("request_id") == request_id and r.get("task_id")
        ],
        bound=10,
    )
    say(f"worker log: {json.dumps(task_lines[0])}")


def main() -> int:
    started = time.monotonic()
    port = int(os.environ.get("PROD_SMOKE_PORT") or free_port())
    base = f"http://127.0.0.1:{port}"
    work = Path(tempfile.mkdtemp(prefix="prod-smoke-"))
    mail_dir = work / "mail"
    env = prod_env(port=port, work=work)

    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            say(f"FAILED: something already listens on port {port}")
            return 1
    fresh_services()
    say(f"fresh database {DB_NAME}, Redis {REDIS_URL}, files in {work}")
    refuses_without_services(env)

    desk = Desk(env, work / "make-prod.log")
    try:
        drive(desk, env, base, mail_dir)
        seconds = desk.stop()
        say(f"every process stopped {seconds:.1f} s after SIGTERM")
    except (SmokeFailed, subprocess.SubprocessError) as failure:
        desk.kill()
        print("\n".join(desk.lines), file=sys.stderr)
        print(f"\nprod-smoke: FAILED: {failure}", file=sys.stderr)
        return 1
    except BaseException:
        desk.kill()
        print("\n".join(desk.lines), file=sys.stderr)
        raise
    say(f"passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
