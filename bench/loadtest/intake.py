"""The load test's intake phase: tickets opened through the API as fast as a few clients can,
then timed until the worker has done every one's work.

Each client is one requester of the demo with an API token, POSTing /api/v1/tickets/ back to
back (no think time) for the phase's seconds. The tickets are ones the demo's routing rules
place (apps/routing/demo.py), so each request runs the rules, starts the SLA clocks and stores
its e-mails in the outbox, in the request's transaction.

The worker's part of a new ticket is the outbox: the acknowledgement to the requester and
whatever a rule asked to notify (the VIP rule tells the lead), stored with the ticket and
published to the worker on commit (apps.core.outbox; no other task is queued by a create — the
SLA's timers are the beat sweep's, minutes or hours later). So a ticket's work is done when
every outbox row carrying its reference is sent or failed, and the phase's work is done when
none of its tickets' rows is pending or sending.

``intake_per_s`` = tickets created / (first POST sent → the worker's last send of their mail).
"""

import math
import threading
import time
from dataclasses import dataclass

import requests

from bench import demo_tickets

# The demo's requesters the clients sign in as, in turn: an ordinary one, a VIP (the VIP rule
# tags the ticket and notifies the lead: one e-mail more), a store manager, a franchise partner
# (the franchise SLA policy). Tokens come from /api/v1/auth/token/, which allows 20 an hour
# from one address (API_TOKEN_THROTTLE), and Locust's people took theirs: so four people at
# most, clients beyond four share their tokens.
PEOPLE = ["requester", "vip", "store.manager", "franchise"]
PASSWORD = "demo1234"  # the demo's published password

# Each placed by a rule of apps/routing/demo.py.
TICKETS = demo_tickets.ROUTED
POST_TIMEOUT = 60.0  # seconds one POST may take before it counts as an error
DRAIN_BOUND = 300.0  # seconds the worker may take, after the last POST, to finish
BODY_EXCERPT = 300


class IntakeFailed(Exception):
    """The phase could not start (no token, no lookups)."""


@dataclass(frozen=True)
class Post:
    """One POST /api/v1/tickets/: when it was sent and answered (epoch seconds), its status,
    the ticket it created (201), or what came back instead."""

    started: float
    ended: float
    status: int
    ticket_id: int | None = None
    reference: str = ""
    error: str = ""

    @property
    def ms(self) -> float:
        return (self.ended - self.started) * 1000


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100), interpolated between the closest ranks; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(posts: list[Post], *, finished: float | None) -> dict:
    """The phase's figures from its POSTs and when the worker finished (epoch seconds; None:
    not within the bound)."""
    created = [p for p in posts if p.status == 201]
    errors = [p for p in posts if p.status != 201]
    first = min((p.started for p in posts), default=0.0)
    last = max((p.ended for p in posts), default=first)
    timings = [p.ms for p in posts]
    api_seconds = max(last - first, 0.001)
    figures = {
        "tickets_created": len(created),
        "errors": len(errors),
        "error_samples": [
            {"status": p.status, "body": p.error[:BODY_EXCERPT]} for p in errors[:10]
        ],
        "api_seconds": round(api_seconds, 2),
        "accepted_per_s": round(len(created) / api_seconds, 2),
        "p50_ms": _rounded(percentile(timings, 50)),
        "p95_ms": _rounded(percentile(timings, 95)),
        "p99_ms": _rounded(percentile(timings, 99)),
        "max_ms": _rounded(max(timings, default=None)),
        "worker_lag_seconds": None,
        "intake_per_s": None,
    }
    if finished is not None and created:
        finished = max(finished, last)  # a ticket with no mail is done when it is answered
        figures["worker_lag_seconds"] = round(finished - last, 2)
        figures["intake_per_s"] = round(len(created) / max(finished - first, 0.001), 2)
    return figures


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- the clients ---------------------------------------------------------------------------


def _token(base: str, email: str) -> str:
    answer = requests.post(
        f"{base}/api/v1/auth/token/", json={"email": email, "password": PASSWORD}, timeout=30
    )
    if answer.status_code != 200:
        raise IntakeFailed(f"token for {email}: {answer.status_code} {answer.text[:300]!r}")
    return answer.json()["token"]


def _session(token: str) -> requests.Session:
    """One client's connection (kept alive between its POSTs), with a person's token."""
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    return session


def _lookups(base: str, session: requests.Session) -> dict[str, dict[str, int]]:
    """Name → id of the categories, products and locations, as a client reads them."""
    found = {}
    for kind in ("categories", "products", "locations"):
        answer = session.get(f"{base}/api/v1/{kind}/", timeout=30)
        answer.raise_for_status()
        found[kind] = {row["name"]: row["id"] for row in answer.json()}
    return found


def payloads(lookups: dict[str, dict[str, int]]) -> list[dict]:
    """The request bodies the clients cycle through (``{n}``: filled in per ticket)."""
    return [
        {
            "subject": subject,
            "description": "Since this morning; it happens to every colleague here too.",
            "category": lookups["categories"][category],
            "product": lookups["products"][product],
            "location": lookups["locations"][location],
        }
        for subject, category, product, location in TICKETS
    ]


def _client(session, url: str, bodies: list[dict], n: int, step: int, seconds, start, out):
    """POST back to back for ``seconds``; ticket n, n + step, n + 2·step…"""
    start.wait()  # every client at once
    deadline = time.time() + seconds
    while time.time() < deadline:
        body = bodies[n % len(bodies)]
        out.append(_post(session, url, {**body, "subject": body["subject"].format(n=n + 1)}))
        n += step


def _post(session, url: str, body: dict) -> Post:
    started = time.time()
    try:
        answer = session.post(url, json=body, timeout=POST_TIMEOUT)
        made = answer.json() if answer.status_code == 201 else {}
    except (requests.RequestException, ValueError) as error:  # refused, reset, not JSON
        return Post(started, time.time(), 0, error=repr(error))
    ended = time.time()
    if answer.status_code != 201:
        return Post(started, ended, answer.status_code, error=answer.text[:BODY_EXCERPT])
    return Post(started, ended, 201, made["id"], made["reference"])


def post_tickets(base: str, *, clients: int, seconds: float) -> list[Post]:
    """``clients`` threads POSTing tickets for ``seconds``; every POST, in no order."""
    tokens = [_token(base, f"{person}@example.com") for person in PEOPLE[:clients]]
    bodies = payloads(_lookups(base, _session(tokens[0])))
    start, posts = threading.Barrier(clients), []  # list.append is atomic: the threads share it
    url = f"{base}/api/v1/tickets/"
    threads = [
        threading.Thread(
            target=_client,
            args=(
                _session(tokens[k % len(tokens)]),
                url,
                bodies,
                k,
                clients,
                seconds,
                start,
                posts,
            ),
            daemon=True,
        )
        for k in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + POST_TIMEOUT + 30)
    return list(posts)


# --- the worker's part, read in the database -------------------------------------------------

OUTBOX = """
SELECT status, count(*), extract(epoch FROM max(sent_at))
FROM core_outboxmessage WHERE ticket_reference = ANY(%s) GROUP BY status
"""
# Per ticket: placed by a rule when it was created (the decision says so, and the ticket is out
# of triage); the clocks a new ticket starts; its mail stored (at least the acknowledgement).
PLACED = """
SELECT EXISTS (SELECT 1 FROM routing_routingdecision d
               WHERE d.ticket_id = t.id AND d.trigger = 'created' AND d.routed)
         AND t.team_id IS NOT NULL AND NOT team.is_triage,
       EXISTS (SELECT 1 FROM sla_clock c WHERE c.ticket_id = t.id AND c.metric = 'first_response')
         AND EXISTS (SELECT 1 FROM sla_clock c WHERE c.ticket_id = t.id AND c.metric = 'resolution'),
       (SELECT count(*) FROM sla_clock c WHERE c.ticket_id = t.id),
       EXISTS (SELECT 1 FROM core_outboxmessage o WHERE o.ticket_reference = mine.reference)
FROM unnest(%s::bigint[], %s::text[]) AS mine (id, reference)
JOIN tickets_ticket t ON t.id = mine.id
LEFT JOIN accounts_team team ON team.id = t.team_id
"""


def outbox_state(dsn: str, references: list[str]) -> dict:
    """The phase's outbox rows by status, and the last send (epoch seconds)."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(OUTBOX, [references]).fetchall()
    counts = {status: count for status, count, _ in rows}
    last_sent = max((float(at) for _, _, at in rows if at is not None), default=None)
    return {"counts": counts, "last_sent": last_sent}


def drained(state: dict) -> bool:
    counts = state["counts"]
    return not counts.get("pending", 0) and not counts.get("sending", 0)


def placement(dsn: str, created: list[Post]) -> dict:
    """Of the tickets created: how many are found, placed by a rule, with their SLA clocks,
    with their mail stored."""
    import psycopg

    ids, references = [p.ticket_id for p in created], [p.reference for p in created]
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(PLACED, [ids, references]).fetchall()
    return {
        "found": len(rows),
        "not_routed": sum(1 for routed, *_ in rows if not routed),
        "without_clocks": sum(1 for _, clocked, *_ in rows if not clocked),
        "clocks": sum(count for _, _, count, _ in rows),
        "without_mail": sum(1 for *_, mailed in rows if not mailed),
    }


def phase(*, base: str, dsn: str, clients: int, seconds: float, wait) -> dict:
    """The whole phase. ``wait(what, attempt, bound)``: the run's bounded wait (it fails the run
    with ``what`` when ``attempt()`` stays falsy for ``bound`` seconds)."""
    posts = post_tickets(base, clients=clients, seconds=seconds)
    created = [p for p in posts if p.status == 201]
    references = [p.reference for p in created]

    def done() -> dict | None:
        now = outbox_state(dsn, references)
        return now if drained(now) else None

    state = wait("the worker does the intake tickets' work (their outbox sent)", done, DRAIN_BOUND)
    finished = state["last_sent"] or max((p.ended for p in posts), default=None)
    figures = summarize(posts, finished=finished)
    counts = state["counts"]
    figures["messages"] = sum(counts.values())
    figures["messages_sent"] = counts.get("sent", 0)
    figures["messages_failed"] = counts.get("failed", 0)
    figures |= placement(dsn, created)
    figures["clients"] = clients
    figures["seconds"] = seconds
    figures["ok"] = bool(
        created
        and not figures["errors"]
        and figures["found"] == len(created)
        and not figures["not_routed"]
        and not figures["without_clocks"]
        # The file backend cannot refuse a message: a failed one is a fault of ours.
        and not figures["messages_failed"]
        # Each one's acknowledgement at least: "drained" is not true of an outbox skipped.
        and not figures["without_mail"]
    )
    return figures
