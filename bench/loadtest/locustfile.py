"""The load test's workload: requesters, agents and collaborators on the production desk.

Every person signs in over HTTP as a browser does (the sign-in form, its CSRF token and
cookie) or takes an API token where the API exists. The desk runs behind no TLS proxy here, so
each request says ``X-Forwarded-Proto: https`` as the proxy would (production settings trust
that header) and the cookie jar sends the Secure cookies over the loopback.

Read from the environment (bench/loadtest/run.py sets it): LOADTEST_PASSWORD, the demo's.
"""

import itertools
import os
import random
import re

from locust import HttpUser, between, task
from requests.cookies import RequestsCookieJar

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "demo1234")
REQUESTERS = itertools.cycle(
    ["requester", "vip", "store.manager", "cashier", "payroll", "warehouse", "franchise"]
)
AGENTS = itertools.cycle(["agent1", "agent2", "agent1b", "network1", "lead"])
COLLABORATORS = itertools.cycle(["ops", "tester"])
SEARCHES = ["printer", "vpn", "password reset", "card reader", "wifi", "till", "payroll", "email"]
ACTIVE = ("new", "open", "pending")
AGENT_REPLY_REFUSALS = ("This ticket is closed.", "does not reply to requesters directly")
SERVICE_DESK_CHECKLIST = {"tried": "Restarted the till and signed in again."}

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DESK_TICKET = re.compile(r'href="/desk/tickets/([A-Za-z0-9-]+)/"')
PORTAL_TICKET = re.compile(r'href="/portal/tickets/([A-Za-z0-9-]+)/"')
TASK = re.compile(r'href="/tasks/task/(\d+)/"')


class LoopbackCookies(RequestsCookieJar):
    """Secure cookies sent back over http://127.0.0.1, which stands in for the TLS proxy.
    (A cookie policy would not do: requests copies the jar into a default one per request.)"""

    def set_cookie(self, cookie, *args, **kwargs):
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


class Person(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)
    who = iter(())

    def on_start(self):
        self.email = f"{next(self.who)}@example.com"
        self.client.cookies = LoopbackCookies()
        origin = self.host.replace("http://", "https://")
        self.client.headers.update({"X-Forwarded-Proto": "https", "Origin": origin})
        self.sign_in()

    def sign_in(self):
        token = self.csrf("/accounts/sign-in/", name="sign in (form)")
        with self.client.post(
            "/accounts/sign-in/",
            data={"username": self.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign-in answered {answer.status_code}")

    def csrf(self, path: str, *, name: str) -> str:
        """GET a page with a form; its CSRF token."""
        answer = self.client.get(path, name=name)
        found = CSRF_INPUT.search(answer.text)
        return found.group(1) if found else ""

    def post_form(self, path: str, data: dict, *, token: str, name: str, rightful=()) -> str:
        """POST a form as a browser does; a redirect is its success. ``rightful``: messages
        of a refusal the desk owes this choice of ticket (the form again, with one of them).
        Returns where a success redirects to."""
        with self.client.post(
            path,
            data={**data, "csrfmiddlewaretoken": token},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code == 400 and any(text in answer.text for text in rightful):
                answer.success()
            elif answer.status_code != 302:
                answer.failure(f"{name} answered {answer.status_code}: {answer.text[:200]!r}")
            return answer.headers.get("Location", "")

    def api_token(self) -> dict:
        answer = self.client.post(
            "/api/v1/auth/token/",
            json={"email": self.email, "password": PASSWORD},
            name="api: token",
        )
        return {"Authorization": f"Token {answer.json()['token']}"} if answer.ok else {}


class Requester(Person):
    weight = 5
    who = REQUESTERS

    def on_start(self):
        super().on_start()
        self.token = self.api_token()
        self.mine: list[str] = []

    @task(6)
    def search_help_centre(self):
        self.client.get("/help/", params={"q": random.choice(SEARCHES)}, name="help: search")

    @task(2)
    def open_ticket_in_portal(self):
        token = self.csrf("/portal/new/", name="portal: new ticket form")
        location = self.post_form(
            "/portal/new/",
            {"subject": "Till 4 freezes after the update", "description": "Since 9:00, twice."},
            token=token,
            name="portal: open ticket",
        )
        self.mine += PORTAL_TICKET.findall(f'href="{location}"')

    @task(1)
    def open_ticket_by_api(self):
        answer = self.client.post(
            "/api/v1/tickets/",
            json={"subject": "Scanner not found", "description": "The scanner is not found."},
            headers=self.token,
            name="api: open ticket",
        )
        if answer.status_code == 201:
            self.mine.append(answer.json()["reference"])

    @task(3)
    def reply(self):
        listing = self.client.get("/portal/", name="portal: my tickets")
        # Their own tickets of this run first: most of the desk's history is closed.
        references = self.mine or PORTAL_TICKET.findall(listing.text)
        if not references:
            return
        reference = random.choice(references)
        token = self.csrf(f"/portal/tickets/{reference}/", name="portal: ticket page")
        self.post_form(
            f"/portal/tickets/{reference}/reply/",
            {"body": "It happened again just now, on till 2 as well."},
            token=token,
            name="portal: reply",
            # Closed since, by an agent: the service says so, and the page that comes back
            # (with the form gone) says it in the portal's words.
            rightful=("This ticket is closed.", "This request is closed."),
        )


class Agent(Person):
    weight = 4
    who = AGENTS

    def on_start(self):
        super().on_start()
        self.token = self.api_token()
        self.references: list[str] = []

    @task(5)
    def queue(self):
        answer = self.client.get("/desk/", name="desk: queue")
        self.references = DESK_TICKET.findall(answer.text) or self.references

    @task(5)
    def ticket_page(self):
        if self.references:
            reference = random.choice(self.references)
            self.client.get(f"/desk/tickets/{reference}/", name="desk: ticket page")

    @task(2)
    def reply(self):
        if not self.references:
            return
        reference = random.choice(self.references)
        token = self.csrf(f"/desk/tickets/{reference}/", name="desk: ticket page")
        self.post_form(
            f"/desk/tickets/{reference}/reply/",
            {"visibility": random.choice(["public", "internal"]), "body": "Looking into it."},
            token=token,
            name="desk: reply",
            # The queue's tickets include closed ones, and some teams' tiers do not write to
            # the requester: a public reply there is refused, as it should be.
            rightful=AGENT_REPLY_REFUSALS,
        )

    @task(1)
    def escalate_and_hand_back(self):
        """Up one tier of the Service Desk and back again (the API), when the ticket allows."""
        if not self.references:
            return
        reference = random.choice(self.references)
        base = f"/api/v1/tickets/{reference}"
        answer = self.client.get(f"{base}/", headers=self.token, name="api: ticket")
        ticket = answer.json() if answer.ok else {}
        team = (ticket.get("team") or {}).get("name")
        if ticket.get("tier") != 1 or team != "Service Desk" or ticket.get("status") not in ACTIVE:
            return
        escalated = self.tier_move(
            f"{base}/escalate/",
            {"reason": "Needs tier 2", "checklist": SERVICE_DESK_CHECKLIST, "expected_tier": 1},
            name="api: escalate",
        )
        if escalated:
            self.tier_move(
                f"{base}/hand-back/",
                {"note": "Back to tier 1", "expected_tier": 2},
                name="api: hand back",
            )

    def tier_move(self, path: str, data: dict, *, name: str) -> bool:
        """Whether the ticket moved. Refusals the desk owes are no failures: not this agent's
        team or tier, or another agent moved it first (code "moved")."""
        with self.client.post(
            path, json=data, headers=self.token, name=name, catch_response=True
        ) as answer:
            refused = answer.status_code in (403, 404) or (
                answer.status_code == 400 and '"moved"' in answer.text
            )
            if refused:
                answer.success()
            elif not answer.ok:
                answer.failure(f"{name} answered {answer.status_code}: {answer.text[:200]!r}")
            return answer.ok and not refused


class Collaborator(Person):
    # At least one whatever the crowd's size (a weight would round a small crowd's to none).
    fixed_count = max(int(os.environ.get("LOADTEST_USERS", "16")) // 8, 1)
    who = COLLABORATORS

    def on_start(self):
        super().on_start()
        self.task_ids: list[str] = []  # (``tasks`` is Locust's own attribute)

    @task(2)
    def my_tasks(self):
        answer = self.client.get("/tasks/mine/", name="tasks: mine")
        self.task_ids = TASK.findall(answer.text) or self.task_ids

    @task(3)
    def task_page(self):
        if self.task_ids:
            task_id = random.choice(self.task_ids)
            self.client.get(f"/tasks/task/{task_id}/", name="tasks: task page")
