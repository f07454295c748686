"""People choose which e-mails they get; the outbox, where every e-mail goes, obeys. Turned-off
news still reaches them in the app; the mail that lets people into their account never stops."""

import pytest
from django.urls import reverse

from apps.accounts.services import password_reset_mail, sign_in_link_send
from apps.core import mailchoices
from apps.core.models import OutboxMessage
from apps.tickets.events import notify
from apps.tickets.models import Notification
from apps.tickets.services import comment_add, followers_add, ticket_create
from tests.conftest import signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def turn_off(user, *keys):
    user.mail_opt_outs = list(keys)
    user.save(update_fields=["mail_opt_outs"])


def mailed_to(mailoutbox, user) -> list:
    return [m for m in mailoutbox if user.email in m.to]


def test_a_requester_who_turned_replies_off_gets_no_mail_but_reads_the_reply_in_the_portal(
    opened, agent, requester, mailoutbox, django_capture_on_commit_callbacks
):
    turn_off(requester, "mail.request_reply")
    follower = UserFactory(email="fran@example.com")
    followers_add(ticket=opened, users=[follower], actor=agent)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=opened, author=agent, body="Patched till 3, please try again.")

    assert mailed_to(mailoutbox, requester) == []
    # Other people still get theirs.
    [to_follower] = mailed_to(mailoutbox, follower)
    assert "Patched till 3" in to_follower.body
    assert not OutboxMessage.objects.filter(to=requester.email, kind="agent_replied").exists()
    portal = signed_in(requester).get(reverse("portal:ticket", args=[opened.reference]))
    assert "Patched till 3, please try again." in portal.content.decode()


def test_other_mail_to_the_same_requester_still_goes(
    opened, agent, requester, mailoutbox, django_capture_on_commit_callbacks
):
    from apps.tickets.services import ticket_update

    turn_off(requester, "mail.request_reply")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(ticket=opened, actor=agent, data={"status": "resolved"})

    [resolved] = mailed_to(mailoutbox, requester)
    assert resolved.subject.startswith(f"[{opened.reference}]")
    assert OutboxMessage.objects.get(to=requester.email, kind="ticket_resolved")


def test_the_agent_still_hears_of_the_requesters_reply(
    opened, agent, requester, mailoutbox, django_capture_on_commit_callbacks
):
    from apps.tickets.services import ticket_update

    ticket_update(ticket=opened, actor=agent, data={"assignee": agent})
    turn_off(requester, "mail.request_reply", "mail.request_resolved")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=opened, author=requester, body="Still frozen at 11:02.")

    assert [m.to for m in mailoutbox] == [[agent.email]]


def test_turning_the_received_mail_off_keeps_the_tracking_number_in_the_app(
    requester, lookups, triage_team, mailoutbox, django_capture_on_commit_callbacks
):
    turn_off(requester, "mail.request_received")

    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(
            requester=requester, subject="VPN drops", description="Every 5 minutes.", **lookups
        )

    assert mailoutbox == []
    [notice] = Notification.objects.filter(user=requester)
    assert ticket.reference in notice.message
    assert notice.read_at is None
    page = signed_in(requester).get(reverse("tiers:notifications")).content.decode()
    assert f"Its tracking number is {ticket.reference}" in page
    assert 'aria-label="Notifications, 1 unread"' in page


def test_with_the_received_mail_on_there_is_no_extra_in_app_notice(
    requester, lookups, triage_team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket_create(requester=requester, subject="VPN drops", description="x", **lookups)

    assert len(mailoutbox) == 1
    assert not Notification.objects.filter(user=requester).exists()


def test_sign_in_links_and_password_resets_go_whatever_was_turned_off(
    requester, mailoutbox, django_capture_on_commit_callbacks
):
    turn_off(requester, *(choice.key for choice in mailchoices.all_choices()))

    with django_capture_on_commit_callbacks(execute=True):
        sign_in_link_send(email=requester.email)
        password_reset_mail(user=requester, subject="Reset", body="Here", token="t0k")

    assert sorted(OutboxMessage.objects.values_list("kind", flat=True)) == [
        "password_reset",
        "sign_in_link",
    ]
    assert len(mailoutbox) == 2


def test_agents_choose_by_what_a_notice_is_about(
    opened, agent, lead, mailoutbox, django_capture_on_commit_callbacks
):
    turn_off(agent, "sla.warnings")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            ticket=opened, user_ids=[agent.pk, lead.pk], message="Due soon", source="SLA warning"
        )
        notify(ticket=opened, user_ids=[agent.pk], message="Up a tier", source="escalated")

    assert sorted((m.to[0], m.body.count("Due soon")) for m in mailoutbox) == [
        (agent.email, 0),  # the escalation
        (lead.email, 1),  # the lead did not turn SLA mail off
    ]


def test_a_collaborators_task_mail_can_be_turned_off_and_the_task_stays_listed(
    opened, agent, mailoutbox, django_capture_on_commit_callbacks
):
    from apps.subtasks.models import SubtaskKind
    from apps.subtasks.services import subtask_create

    collaborator = UserFactory(email="cole@example.com")
    turn_off(collaborator, "subtasks.assigned")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        subtask_create(
            ticket=opened,
            actor=agent,
            title="Re-index the loyalty table",
            kind=SubtaskKind.objects.first(),
            assignee_user=collaborator,
        )

    assert mailed_to(mailoutbox, collaborator) == []
    tasks = signed_in(collaborator).get(reverse("subtasks:mine")).content.decode()
    assert "Re-index the loyalty table" in tasks


@pytest.mark.parametrize(
    ("kind", "topic", "key"),
    [
        ("ticket_received", "", "mail.request_received"),
        ("agent_replied", "", "mail.request_reply"),
        ("ticket_resolved", "", "mail.request_resolved"),
        ("requester_replied", "", "mail.requester_replied"),
        ("notified", "escalated", "tickets.escalated"),
        ("notified", "handed_back", "tickets.escalated"),
        ("notified", "holder_changed", "tickets.held"),
        ("notified", "holder_resolved", "tickets.held"),
        ("notified", "SLA warning", "sla.warnings"),
        ("notified", "SLA breach", "sla.warnings"),
        ("notified", "SLA policy “Gold”, 30 min after breach", "sla.warnings"),
        ("notified", "subtasks", "subtasks.ticket_news"),
        ("notified", "subtask_commented", "subtasks.ticket_news"),
        ("notified", "rule: VIP to tier 2", "mail.notified"),
        ("notified", "", "mail.notified"),
        ("subtask_assigned", "", "subtasks.assigned"),
        ("subtask_answer", "", "subtasks.answers"),
        ("subtask_reminder", "", "subtasks.reminders"),
        ("subtask_cancelled", "", "subtasks.reminders"),
        ("subtask_manager", "", "subtasks.manager"),
        ("mentoring_digest", "", "reviews.mentoring_digest"),
        # Never optional: the way into one's account, and what a person chose to send.
        ("sign_in_link", "", None),
        ("password_reset", "", None),
        ("sign_up_confirm", "", None),
        ("sign_up_existing", "", None),
        ("kudos_share", "", None),
    ],
)
def test_every_mailed_kind_belongs_where_people_expect(kind, topic, key):
    choice = mailchoices.choice_for(kind=kind, topic=topic)

    assert (choice.key if choice else None) == key


def test_a_pattern_belongs_to_one_choice_only():
    with pytest.raises(ValueError, match="covered by"):
        mailchoices.register(
            mailchoices.MailChoice("test.twice", "Twice", ("agent_replied",), "Test")
        )
