"""Demo subtasks: templates, and tickets split into work for people outside support.

``configure(demo)`` adds the templates (``demo["subtask_templates"]``: name → template);
``populate(demo)`` opens the headline incident — wrong shelf prices after a release — split into
three subtasks for a data owner, operations and a tester, each e-mailed their link (see the
mail backend's output), and adds each template's subtasks to a few open tickets of the problem
the template is for, due after the ticket was opened.
"""

import datetime

from django.utils import timezone

from apps.tickets.models import Status, Ticket
from apps.tickets.services import comment_add, ticket_create, ticket_update

from .models import Subtask, SubtaskKind, SubtaskTemplate, SubtaskTemplateItem
from .services import subtask_create, subtask_transition, template_apply

TEMPLATES = {
    "Wrong data after a bug": [
        ("Correct the wrong records", "Data fix", True, 1, "data_owner",
         "Fix the affected records in the master data and note how many you changed."),
        ("Announce a workaround to the stores", "Workaround", True, 1, "operations",
         "Tell the stores what to do until the data is right, and confirm when it is sent."),
        ("Add an automated test for the bug", "New test", False, 5, "tester",
         "Write a test that would have caught this before release."),
    ],
    "Payroll correction": [
        ("Recalculate the payslip", "Data fix", True, 2, "data_owner",
         "Recalculate and issue the corrected payslip."),
        ("Confirm with the employee's manager", "Managerial escalation", False, 3, "manager",
         "Confirm the hours with the employee and approve the correction."),
    ],
}  # fmt: skip

# The problem each template is for (the demo adds it only to tickets of that category), and
# what the person who finished its first task wrote.
TEMPLATE_CATEGORY = {
    "Wrong data after a bug": ("Data correction", "Fixed 42 price records."),
    "Payroll correction": ("Payroll discrepancy", "Payslip recalculated and sent again."),
}
PER_TEMPLATE = 4


def configure(demo: dict) -> None:
    kinds = {k.name: k for k in SubtaskKind.objects.all()}
    collaborators = demo.get("collaborators", {})
    demo["subtask_templates"] = {}
    for name, items in TEMPLATES.items():
        template = SubtaskTemplate.objects.create(name=name, description=f"{len(items)} subtasks")
        for order, (title, kind, blocking, days, who, text) in enumerate(items):
            person = collaborators.get(who)
            SubtaskTemplateItem.objects.create(
                template=template,
                order=order,
                title=title,
                kind=kinds[kind],
                blocking=blocking,
                due_in_days=days,
                instructions=text,
                assignee_email=person.email if person else "",
            )
        demo["subtask_templates"][name] = template
    people = demo.get("people", {})
    if "data_owner" in people and "manager" in people:
        # The data owner reports to the retail operations manager: the managerial push.
        type(people["data_owner"]).objects.filter(pk=people["data_owner"].pk).update(
            manager=people["manager"]
        )


def populate(demo: dict) -> None:
    people = demo.get("people", {})
    if not {"agent_t1", "data_owner", "operations", "tester"} <= people.keys():
        return
    agent = people["agent_t1"]
    headline = _headline(demo, agent)
    today = timezone.localdate()
    overdue_shown = False
    for name, (category, note) in TEMPLATE_CATEGORY.items():
        template = demo["subtask_templates"][name]
        # Only the problems the template is for; the newest first.
        tickets = (
            Ticket.objects.filter(
                status__in=[Status.OPEN, Status.NEW], team__isnull=False, category__name=category
            )
            .exclude(pk=headline.pk)
            .exclude(team__is_triage=True)  # placed with a team: someone decided the work
            .order_by("-created_at")[:PER_TEMPLATE]
        )
        for index, ticket in enumerate(tickets):
            created = template_apply(ticket=ticket, template=template, actor=None, source="demo")
            if index % 3 == 0 and created:
                subtask_transition(
                    subtask=created[0],
                    actor=created[0].assignee_user,
                    status="done",
                    note=note,
                )
            # One overdue task, so the leads' list and the reminder sweep have work: due the
            # day after its ticket was opened (never before), and already past.
            opened = timezone.localdate(ticket.created_at)
            due = opened + datetime.timedelta(days=1)
            if not overdue_shown and len(created) > 1 and due < today:
                Subtask.objects.filter(pk=created[1].pk).update(due_date=due)
                overdue_shown = True
    demo["stdout"].write(
        f"  subtasks: {Subtask.objects.count()} (headline ticket {headline.reference}: "
        "its assignees' links are in the mail output)"
    )


def _headline(demo: dict, agent) -> Ticket:
    people = demo["people"]
    requester = (demo.get("requesters") or [agent])[0]
    ticket = ticket_create(
        requester=requester,
        category=demo.get("categories", {}).get("Data correction"),
        product=demo.get("products", {}).get("Inventory app"),
        subject="Shelf labels show last week's prices after Sunday's release",
        description=(
            "Since the release on Sunday, about 300 products in our store show the old price on "
            "the shelf label while the till charges the new one. Customers are complaining."
        ),
    )
    team = agent.memberships[0].team if agent.memberships else None
    ticket_update(
        ticket=ticket, actor=agent, data={"team": team, "assignee": agent, "status": "open"}
    )
    reply = comment_add(
        ticket=ticket,
        author=agent,
        body="Thanks — we found the cause: the price import skipped one file. Fixing it now.",
    )
    comment_add(
        ticket=ticket, author=agent, internal=True, body="Import job 4411 failed silently; see log."
    )
    kinds = {k.name: k for k in SubtaskKind.objects.all()}
    due = timezone.localdate() + datetime.timedelta(days=1)
    fix = subtask_create(
        ticket=ticket,
        actor=agent,
        title="Re-import the skipped price file",
        kind=kinds["Data fix"],
        assignee_user=people["data_owner"],
        due_date=due,
        instructions="Re-run the import of prices_2024_w12.csv for store 112 and check 5 labels.",
        shared_comment_ids=[reply.pk],
    )
    subtask_create(
        ticket=ticket,
        actor=agent,
        title="Tell store 112 to honour the shelf price today",
        kind=kinds["Workaround"],
        assignee_user=people["operations"],
        due_date=due,
        instructions="Send the stores the standard price-override note until labels are right.",
    )
    subtask_create(
        ticket=ticket,
        actor=agent,
        title="Add a test that fails when an import file is skipped",
        kind=kinds["New test"],
        assignee_user=people["tester"],
        blocking=False,
        due_date=due + datetime.timedelta(days=6),
        depends_on=[fix],
        instructions="The nightly import must fail loudly if a file is missing.",
    )
    return ticket
