"""Who may use each route: one declared policy per URL name, checked by test_permission_matrix.

A policy gives a rule per kind of person; ``lead`` falls back to ``agent`` and ``admin`` to
``lead``. ``user`` covers every signed-in person without an agent seat: the requester, another
requester, a requester of the same organisation and a collaborator (a subtask's assignee).

Rules (``|`` combines them; an absent object is always denied):
  allow  2xx (with ``redirect=True``: a redirect that is not to the sign-in page)
  deny   400/401/403/404/405 or a redirect: to the sign-in page, or away to the portal/desk
  own    allow for the person's own object: the requester's ticket (and its files), the
         collaborator's subtask (and its files); deny for anyone else's
  team   allow for objects of the person's team (admin: every team); deny otherwise
  read   an article (or its file) the person may read: public to all, "requesters" to anyone
         signed in, "agents" to agents, one team's to that team; drafts to no reader
  edit   an article an editor may see: drafts too, but one team's only in that team

``post=True``: the route takes POST only. Only the people it denies are checked (an empty
POST by someone allowed would change the world), and their POST must leave everything as it was.
"""

from dataclasses import dataclass

ROLES = [
    "anonymous",
    "requester",
    "other_requester",
    "org_requester",
    "collaborator",
    "other_agent",
    "agent",
    "lead",
    "admin",
]
CLASS = {
    "anonymous": "anonymous",
    "requester": "user",
    "other_requester": "user",
    "org_requester": "user",
    "collaborator": "user",
    "other_agent": "agent",
    "agent": "agent",
    "lead": "lead",
    "admin": "admin",
}
TEAM = {"other_agent": "B", "agent": "A", "lead": "A"}

_TICKETS = ["own", "other", "other_team", "absent"]
_ARTICLES = ["public", "requesters", "agents", "team", "other_team", "draft", "absent"]
OBJECTS = {
    "ticket": _TICKETS,
    "attachment": _TICKETS,
    "subtask": _TICKETS,
    "subtask_file": _TICKETS,
    "inbound": _TICKETS,  # an e-mail received for each ticket
    "kpi": ["any", "absent"],  # a figure of insights, by name
    "article": _ARTICLES,
    "article_file": _ARTICLES,
    "ticket_article": _ARTICLES,  # the requester's ticket with each article
    "rule": ["any", "absent"],
    "category": ["any", "absent"],
    "location": ["any", "absent"],
    "product": ["any", "absent"],
    "team": ["any", "absent"],
    "link": ["own", "absent"],  # a collaborator's signed link, and a forged one
    # Case scoring: a team A round the agent reviews in, and a team B round; cases of the
    # agent and of the lead in the first, one of the other agent in the second.
    "scoring_round": ["own", "other_team", "absent"],
    "scoring_case": ["own", "other", "other_team", "absent"],
    "rating_link": ["own", "absent"],  # the requester's e-mailed rating link, and a forged one
    "week": ["any", "absent"],  # a review week by its Monday, and no date at all
    # An agent's personal macro and saved view, and the other agent's.
    "macro": ["own", "other", "absent"],
    "saved_view": ["own", "other", "absent"],
    "notification": ["own", "other", "absent"],  # the requester's in-app notice, another's
    "problem": ["team", "other_team", "absent"],  # a problem of team A, one of team B
}
OWNERS = {  # object kind -> which role owns it
    ("ticket", "own"): "requester",
    ("ticket", "other"): "other_requester",
    ("attachment", "own"): "requester",
    ("attachment", "other"): "other_requester",
    ("subtask", "own"): "collaborator",
    ("subtask_file", "own"): "collaborator",
    ("scoring_round", "own"): "agent",  # its reviewer
    ("scoring_round", "other_team"): "other_agent",
    ("scoring_case", "own"): "agent",
    ("scoring_case", "other"): "lead",
    ("scoring_case", "other_team"): "other_agent",
    ("macro", "own"): "agent",
    ("macro", "other"): "other_agent",
    ("saved_view", "own"): "agent",
    ("saved_view", "other"): "other_agent",
    ("notification", "own"): "requester",
    ("notification", "other"): "other_requester",
}
OBJECT_TEAM = {"own": "A", "other": "A", "other_team": "B", "team": "A"}
READERS = {
    "public": {"anonymous", "user", "agent", "lead", "admin"},
    "requesters": {"user", "agent", "lead", "admin"},
    "agents": {"agent", "lead", "admin"},
    "team": {"admin", "A"},
    "other_team": {"admin", "B"},
    "draft": set(),
}


@dataclass(frozen=True)
class Policy:
    on: str | None = None  # the kind of object the URL parameters name
    anonymous: str = "deny"
    user: str = "deny"
    agent: str = "deny"
    lead: str | None = None
    admin: str | None = None
    post: bool = False
    absent: str = "deny"  # what everyone gets for an object that does not exist
    redirect: bool = False  # a redirect (not to the sign-in page) is the answer that allows

    def rule_for(self, role: str) -> str:
        klass = CLASS[role]
        if klass == "admin":
            return self.admin or self.lead or self.agent
        if klass == "lead":
            return self.lead or self.agent
        return getattr(self, klass)


def _passes(rule: str, role: str, on: str | None, obj: str | None) -> bool:
    klass, team = CLASS[role], TEAM.get(role)
    if rule == "allow":
        return True
    if rule == "own":
        return OWNERS.get((on, obj)) == role
    if rule == "team":
        return klass == "admin" or (team is not None and OBJECT_TEAM.get(obj) == team)
    if rule == "read":
        return klass in READERS[obj] or team in READERS[obj]
    if rule == "edit":
        return klass == "admin" or obj not in ("team", "other_team") or OBJECT_TEAM[obj] == team
    return False


def allowed(policy: Policy, role: str, obj: str | None) -> str:
    if obj == "absent":
        return policy.absent
    rules = policy.rule_for(role).split("|")
    return "allow" if any(_passes(r, role, policy.on, obj) for r in rules) else "deny"


P = Policy
PUBLIC = P(anonymous="allow", user="allow", agent="allow")
SIGNED_IN = P(user="allow", agent="allow")
AGENTS = P(agent="allow")
LEADS = P(lead="allow")
ADMINS = P(admin="allow")


def _post(on=None, **rules):
    return P(on=on, post=True, **rules)


POLICIES: dict[str, Policy] = {
    "home": P(),  # only redirects: to the sign-in page, the portal or the desk
    "healthz": PUBLIC,
    "healthz-web": PUBLIC,
    # Only Prometheus with METRICS_TOKEN as its bearer token (tests/core/test_metrics.py).
    "metrics": P(),
    "api-root": PUBLIC,  # names the routes; each checks who may use it
    "favicon": P(anonymous="allow", user="allow", agent="allow", redirect=True),
    # Accounts: the sign-in and reset pages are for everyone; links are checked by the view.
    "accounts:login": P(anonymous="allow"),  # signed in: sent on to their home
    # Signing out harms no one: nothing to deny (and POSTing it would sign the matrix out).
    "accounts:logout": _post(anonymous="allow", user="allow", agent="allow"),
    "accounts:sign-in-link-request": PUBLIC,
    "accounts:sign-in-link": P(
        on="link"
    ),  # a subtask's link is no sign-in link, a forged one neither
    # Sign-up: signed-in people are sent home. A forged confirmation link answers 400.
    "accounts:sign-up": P(anonymous="allow"),
    "accounts:email-settings": SIGNED_IN,  # one's own choices; nobody else's can be named
    "accounts:sign-up-confirm": P(on="link"),
    "accounts:password-reset": PUBLIC,
    "accounts:password-reset-done": PUBLIC,
    # Django's page answers a forged link with 200 "This link is invalid": nothing to leak.
    "accounts:password-reset-confirm": P(
        on="link", anonymous="allow", user="allow", agent="allow", absent="allow"
    ),
    "accounts:password-reset-complete": PUBLIC,
    # Single sign-on is off in the test settings: both answer 404. Configured, the start
    # redirects to the provider and a callback without a valid code and state redirects to the
    # sign-in page; tests/accounts/test_oidc.py covers that flow end to end.
    "oidc:authenticate": P(),
    "oidc:callback": P(),
    # Portal: a requester's own tickets.
    "portal:tickets": SIGNED_IN,
    "portal:new": SIGNED_IN,
    "portal:ticket": P(on="ticket", user="own"),  # agents are sent to the desk
    "portal:reply": _post("ticket", user="own"),
    # Workspace: agents, on their teams' tickets.
    "workspace:queue": AGENTS,
    # Problems: every agent reads them (workarounds are for all tickets); the owning team (or an
    # admin) changes one; linking a ticket needs the ticket; known issues are public.
    "problems:list": AGENTS,
    "problems:new": AGENTS,
    "problems:link-many": AGENTS,
    "problems:detail": P(on="problem", agent="allow"),
    "problems:edit": _post("problem", agent="team"),
    "problems:resolve-tickets": _post("problem", agent="team"),
    "problems:ticket-link": _post("ticket", agent="team"),
    "problems:ticket-unlink": _post("ticket", agent="team"),
    "known-issues": PUBLIC,
    "known-issues-api": PUBLIC,
    "problems-api": AGENTS,
    "problem-api": P(on="problem", agent="allow"),
    "workspace:caller-new": AGENTS,  # a ticket for someone who called
    "workspace:merge": _post("ticket", agent="team"),
    "workspace:similar": P(on="ticket", agent="team"),
    "portal:similar": SIGNED_IN,  # one's own requests only
    "workspace:people-found": AGENTS,
    "workspace:ticket": P(on="ticket", agent="team"),
    "workspace:reply": _post("ticket", agent="team"),
    "workspace:properties": _post("ticket", agent="team"),
    "workspace:take": _post("ticket", agent="team"),
    # "Who else is on this ticket": only those who may work it ping, and only they hear back.
    "workspace:presence": _post("ticket", agent="team"),
    # Saved views of the queue: each agent's own, private.
    "saved_views:list": AGENTS,
    "saved_views:create": _post(agent="allow"),
    "saved_views:rename": _post("saved_view", agent="own"),
    "saved_views:delete": _post("saved_view", agent="own"),
    # Macros: agents keep their personal ones; the picker searches on a ticket they work.
    "macros:list": AGENTS,
    "macros:new": AGENTS,
    "macros:edit": P(on="macro", agent="own"),
    "macros:delete": _post("macro", agent="own"),
    "macros:search": P(on="ticket", agent="team"),
    "tiers:held": AGENTS,
    "tiers:hand-backs": LEADS,
    "tiers:notifications": SIGNED_IN,  # each person's own notices
    # Without an id: all of one's own; with one: only one's own (a foreign id answers 404).
    "tiers:notifications-read": _post(user="allow", agent="allow"),
    # Opening one's own notice marks it read and goes on to the ticket: a redirect.
    "tiers:notification-open": P(on="notification", user="own", agent="own", redirect=True),
    "tiers:escalate": _post("ticket", agent="team"),
    "tiers:hand-back": _post("ticket", agent="team"),
    "tiers:take": _post("ticket", agent="team"),
    "tiers:holder": _post("ticket", agent="team"),
    "sla:at_risk": LEADS,
    "files:attachment": P(on="attachment", user="own", agent="own|team"),
    # E-mail in: the HTTP entry takes a mailbox's bearer token, never a session. An e-mail as
    # received (quotes, headers, the original file) is for the agents of its ticket.
    # Insights: every agent for their own teams' figures (the scope keeps them to those), admins
    # for all; a volume goal only by a lead of the team (or an admin).
    "insights:dashboard": AGENTS,
    "insights:kpi": P(on="kpi", agent="allow"),
    "insights:pareto": AGENTS,
    "insights:flow": AGENTS,
    "insights:tickets": AGENTS,
    "insights:tickets-csv": AGENTS,
    "insights:goal": _post(lead="allow"),
    "insights-api:kpis": AGENTS,
    "insights-api:kpi": P(on="kpi", agent="allow"),
    "insights-api:pareto": AGENTS,
    "mail:inbound": _post(),
    "mail:message": P(on="inbound", agent="team"),
    "mail:message-raw": P(on="inbound", agent="team"),
    # Help centre: articles by audience.
    "kb:home": PUBLIC,
    "kb:suggest": PUBLIC,
    "kb:file": P(on="article_file", anonymous="read", user="read", agent="read|edit"),
    "kb:article": P(on="article", anonymous="read", user="read", agent="read"),
    "kb:feedback": _post("article", anonymous="read", user="read", agent="read"),
    "kb:solved": _post("article", anonymous="read", user="read", agent="read"),
    "kb-desk:articles": AGENTS,
    "kb-desk:new": AGENTS,
    "kb-desk:preview": _post(agent="allow"),
    "kb-desk:numbers": LEADS,
    "kb-desk:pending": LEADS,
    "kb-desk:pending-approve": _post("article", lead="allow"),
    "kb-desk:pending-reject": _post("article", lead="allow"),
    "kb-desk:edit": P(on="article", agent="edit"),
    "kb-desk:status": _post("article", agent="edit"),
    "kb-desk:file": _post("article", agent="edit"),
    "kb-desk:revisions": P(on="article", agent="edit"),
    "kb-desk:panel-search": P(on="ticket", agent="team"),
    "kb-desk:panel-send": _post("ticket_article", agent="allow"),
    "kb-desk:panel-draft": _post("ticket", agent="team"),
    # Routing.
    "routing:triage": AGENTS,
    "routing:triage-route": _post("ticket", agent="team"),
    "routing:rule-from-ticket": P(on="ticket", admin="team"),
    "routing:reroute": _post("ticket", agent="team"),
    "routing:classify": _post("ticket", agent="team"),
    "routing:report": LEADS,
    # Subtasks: collaborators see their own task; agents work their teams' tickets' tasks.
    # The link is the credential: it opens the task (a redirect into a link session) for whoever
    # holds it; someone signed in as another person is told whose link it is.
    "subtasks:link": P(on="link", anonymous="allow", user="allow", agent="allow", redirect=True),
    # A forged link gets a page saying so; the fingerprint proves nothing was sent or changed.
    "subtasks:link-renew": _post(
        "link", anonymous="allow", user="allow", agent="allow", absent="allow"
    ),
    "subtasks:sign-out": _post(anonymous="allow", user="allow", agent="allow"),
    "subtasks:mine": SIGNED_IN,
    "subtasks:task": P(on="subtask", user="own"),  # the collaborator's page; agents use the desk
    "subtasks:finish": _post("subtask", user="own", agent="team"),
    "subtasks:comment": _post("subtask", user="own", agent="team"),
    "subtasks:attachment": P(on="subtask_file", user="own", agent="team"),
    "subtasks:add": _post("ticket", agent="team"),
    "subtasks:apply-template": _post("ticket", agent="team"),
    "subtasks:override": _post("ticket", lead="team"),
    "subtasks:transition": _post("subtask", agent="team"),
    "subtasks:answer": _post("subtask", agent="team"),
    "subtasks:share": _post("subtask", agent="team"),
    "subtasks:new-link": _post("subtask", agent="team"),
    "subtasks:delete": _post("subtask", agent="team"),
    "subtasks:overdue": LEADS,
    # API v1.
    "tickets-api:ticket-list": SIGNED_IN,
    "tickets-api:ticket-detail": P(on="ticket", user="own", agent="own|team"),
    "tickets-api:ticket-take": _post("ticket", agent="team"),
    "tickets-api:ticket-comments": P(on="ticket", user="own", agent="own|team"),
    "tickets-api:ticket-attachments": P(on="ticket", user="own", agent="own|team"),
    "tickets-api:ticket-history": P(on="ticket", agent="team"),  # events include internal ones
    "tickets-api:token": _post(anonymous="allow", user="allow", agent="allow"),
    "tickets-api:category-list": SIGNED_IN,
    "tickets-api:category-detail": P(on="category", user="allow", agent="allow"),
    "tickets-api:location-list": SIGNED_IN,
    "tickets-api:location-detail": P(on="location", user="allow", agent="allow"),
    "tickets-api:product-list": SIGNED_IN,
    "tickets-api:product-detail": P(on="product", user="allow", agent="allow"),
    "tickets-api:team-list": SIGNED_IN,
    "tickets-api:team-detail": P(on="team", user="allow", agent="allow"),
    "tiers-api:escalate": _post("ticket", agent="team"),
    "tiers-api:hand-back": _post("ticket", agent="team"),
    "tiers-api:holder": _post("ticket", agent="team"),
    "tiers-api:tier-time": P(on="ticket", agent="team"),
    "sla-api:ticket-clocks": P(on="ticket", agent="team"),
    "sla-api:compliance": LEADS,
    "kb-api-articles": P(anonymous="allow", user="allow", agent="allow"),
    "kb-api-article": P(on="article", anonymous="read", user="read", agent="edit"),
    "kb-api-feedback": _post("article", anonymous="read", user="read", agent="read"),
    "kb-api-revisions": P(on="article", agent="edit"),
    "kb-api-revision-approve": _post("article", lead="allow"),
    "kb-api-revision-reject": _post("article", lead="allow"),
    "kb-api-files": _post("article", agent="edit"),
    "kb-api-pending": SIGNED_IN,  # a lead's own queue: empty for everyone else
    "kb-api-search": PUBLIC,
    "kb-api-numbers": LEADS,
    "subtasks-api:ticket-subtasks": P(on="ticket", agent="team"),
    "subtasks-api:mine": SIGNED_IN,
    "subtasks-api:detail": P(on="subtask", user="own", agent="team"),
    "subtasks-api:transition": _post("subtask", user="own", agent="team"),
    "subtasks-api:comments": P(on="subtask", user="own", agent="team"),
    "routing-rules": ADMINS,  # staff with view_rule, as in the Django admin
    "routing-rules-export": ADMINS,
    "routing-rules-import": _post(admin="allow"),
    "routing-rules-backtest": _post(admin="allow"),
    "routing-rule": P(on="rule", admin="allow"),
    "routing-root-causes": SIGNED_IN,  # the list; empty for people without an agent seat
    "routing-ticket-decisions": P(on="ticket", agent="team"),
    "routing-ticket-reroute": _post("ticket", agent="team"),
    # Mentor review: leads pair people; a sponsor's week is for sponsors, leads and admins (an
    # agent who sponsors no one finds no page); "My week" is each agent's own.
    "reviews:hub": AGENTS,  # each agent sees the reviews they take part in
    "reviews:mentoring_pairings": LEADS,
    "reviews:mentoring_week": LEADS,
    "reviews:mentoring_week_of": P(on="week", lead="allow"),
    "reviews:mentoring_coach": _post(lead="allow"),
    "reviews:mentoring_kudos": _post(lead="allow"),
    "reviews:mentoring_my_week": AGENTS,
    "reviews:mentoring_my_week_of": P(on="week", agent="allow"),
    "reviews:mentoring_summarise": _post(agent="allow"),
    # Satisfaction: the e-mailed rating link is the credential (its GET only shows the choice;
    # forged, it is refused); the portal's rating is the requester's own. Kudos are for leads
    # (their teams'), sponsors (their techs', not in this matrix) and admins; leads share them.
    "reviews:rating_link": P(on="rating_link", anonymous="allow", user="allow", agent="allow"),
    "reviews:rating_portal": _post("ticket", user="own"),
    "reviews:kudos_list": LEADS,
    "reviews:kudos_csv": LEADS,
    "reviews:kudos_share": _post(lead="allow"),
    # Case scoring: rounds are run by leads (admins); a round's reviewers see its progress and
    # their own cases only; results, the CSV and every case are for leads of its teams.
    "reviews:scoring_rounds": AGENTS,  # each sees the rounds they lead or review in
    "reviews:scoring_round_new": LEADS,
    "reviews:scoring_round": P(on="scoring_round", agent="own", lead="own|team"),
    "reviews:scoring_round_csv": P(on="scoring_round", lead="team"),
    "reviews:scoring_queue": AGENTS,  # each reviewer's own cases
    "reviews:scoring_case": P(on="scoring_case", agent="own", lead="own|team"),
}
