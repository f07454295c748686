"""E-mail in, end to end: a message becomes a ticket, a reply threads onto it, noise is set
aside, a failure is quarantined — and nothing is lost or taken twice.

Messages are real RFC 822 bytes; replies quote the headers our own outbound mail carried.
"""

from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.core.models import OutboxMessage
from apps.core.outbox import outbox_enqueue
from apps.core.tasks import outbox_sent_bodies_clear_task
from apps.mail.intake import inbound_process, inbound_retry, inbound_store
from apps.mail.models import InboundMessage, Mailbox, Source, Status, UnknownSenders
from apps.tickets.models import Channel, Comment, Ticket
from apps.tickets.models import Status as TicketStatus
from apps.tickets.services import comment_add, ticket_update

pytestmark = pytest.mark.django_db

DESK = "help@example.com"


def mail(
    frm="rita@example.com",
    to=DESK,
    subject="Till 3 freezes",
    body="Every loyalty scan freezes the till.",
    **headers,
) -> bytes:
    message = EmailMessage()
    message["From"] = frm
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = headers.pop("message_id", None) or make_msgid(domain="mail.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def take(raw: bytes, mailbox=None) -> tuple[InboundMessage, str]:
    message, stored_now = inbound_store(raw, source=Source.PIPE, mailbox=mailbox)
    outcome = inbound_process(message) if stored_now else f"duplicate {message.pk}"
    message.refresh_from_db()
    return message, outcome


@pytest.fixture
def mailbox(db, team):
    return Mailbox.objects.create(name="Help", address=DESK)


@pytest.fixture
def sent(mailoutbox, django_capture_on_commit_callbacks):
    """Run ``fn`` and return the e-mails it sent (after commit, as the outbox does)."""

    def run(fn, *args, **kwargs):
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            fn(*args, **kwargs)
        return mailoutbox[before:]

    return run


def test_an_email_opens_a_ticket_for_a_new_sender_with_its_tracking_number(
    mailbox, triage_team, sent
):
    mails = sent(take, mail(frm="Nina New <nina@shop.example>"), mailbox)

    ticket = Ticket.objects.get()
    inbound = InboundMessage.objects.get()
    assert inbound.outcome == f"created {ticket.reference}"
    assert inbound.status == Status.CREATED
    assert inbound.ticket == ticket
    assert ticket.channel == Channel.EMAIL
    assert ticket.intake_address == DESK
    assert ticket.requester.email == "nina@shop.example"
    assert ticket.requester.full_name == "Nina New"
    assert not ticket.requester.has_usable_password()
    assert "Every loyalty scan freezes the till." in ticket.description
    [ack] = mails
    assert ack.to == ["nina@shop.example"]
    assert ticket.reference in ack.subject
    # The acknowledgement says how to answer, and its reply address is signed for this message.
    assert ack.extra_headers["Reply-To"].startswith("support+m")
    assert ack.extra_headers["Auto-Submitted"] == "auto-generated"
    assert OutboxMessage.objects.get().thread == f"ticket:{ticket.pk}"


def test_the_same_message_twice_is_a_duplicate_not_a_second_ticket(mailbox, triage_team):
    raw = mail(message_id="<once@mail.example>")
    first, _ = take(raw, mailbox)
    again, outcome = take(raw, mailbox)
    assert again.pk == first.pk
    assert outcome == f"duplicate {first.pk}"

    # The same Message-ID with other bytes (another relay added a header): still one ticket.
    copy, outcome = take(b"X-Relayed: yes\r\n" + raw, mailbox)
    assert copy.status == Status.DUPLICATE
    assert copy.duplicate_of == first
    assert outcome == f"duplicate {copy.pk}: same Message-ID as {first.pk}"
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.count() == 2


def _reply_to(outbound, frm, body="Here is the order id: 4711.", **headers):
    """A reply as mail clients write it: In-Reply-To/References from the message answered."""
    return mail(
        frm=frm,
        to=outbound.extra_headers["Reply-To"],
        subject=f"Re: {outbound.subject}",
        body=f"{body}\n\nOn Mon, 30 Nov 2026 at 10:00, Switchboard wrote:\n> {outbound.body[:40]}",
        In_Reply_To=outbound.extra_headers["Message-ID"],
        References=outbound.extra_headers["Message-ID"],
        **headers,
    )


def test_the_requester_answers_the_agents_reply_by_email_and_it_lands_on_the_ticket(
    opened, agent, requester, sent
):
    sent(ticket_update, ticket=opened, actor=agent, data={"assignee": agent})
    [reply_mail] = sent(comment_add, ticket=opened, author=agent, body="Which order id?")
    sent(ticket_update, ticket=opened, actor=agent, data={"status": TicketStatus.RESOLVED})

    mails = sent(take, _reply_to(reply_mail, requester.email))

    comment = Comment.objects.filter(ticket=opened).latest("pk")
    assert comment.author == requester
    assert comment.channel == Channel.EMAIL
    assert comment.body == "Here is the order id: 4711."  # the quote is cut, kept in full_text
    inbound = InboundMessage.objects.get()
    assert inbound.outcome == f"comment {opened.reference}"
    assert inbound.comment == comment
    assert "Switchboard wrote:" in inbound.full_text
    opened.refresh_from_db()
    assert opened.status == TicketStatus.OPEN  # a reply reopens a resolved ticket
    assert [m.to for m in mails] == [[agent.email]]  # the assignee hears of it


def test_sent_mail_loses_its_text_after_the_retention_yet_a_reply_to_it_still_threads(
    opened, agent, requester, sent, settings
):
    settings.OUTBOX_KEEP_SENT_BODY_DAYS = 90
    [reply_mail] = sent(comment_add, ticket=opened, author=agent, body="Which order id?")
    stored = OutboxMessage.objects.get(thread=f"ticket:{opened.pk}", body__contains="order id")
    recent = OutboxMessage.objects.filter(status="sent").exclude(pk=stored.pk).latest("pk")
    OutboxMessage.objects.filter(pk=stored.pk).update(sent_at=timezone.now() - timedelta(days=91))
    unsent = outbox_enqueue(
        kind="test",
        to="x@example.com",
        subject="Waiting",
        body="Still to go.",
        dedupe_key="test:waiting",
    )
    OutboxMessage.objects.filter(pk=unsent.pk).update(
        created_at=timezone.now() - timedelta(days=200)
    )

    assert outbox_sent_bodies_clear_task.delay().get() == 1

    stored.refresh_from_db()
    assert (stored.body, stored.subject, stored.to) == ("", reply_mail.subject, requester.email)
    assert OutboxMessage.objects.get(pk=recent.pk).body != ""  # sent lately: kept whole
    assert OutboxMessage.objects.get(pk=unsent.pk).body == "Still to go."  # not sent: kept
    sent(take, _reply_to(reply_mail, requester.email))
    assert Comment.objects.filter(ticket=opened).latest("pk").body == "Here is the order id: 4711."


def test_a_reply_to_the_signed_address_alone_threads(opened, agent, requester, sent):
    [reply_mail] = sent(comment_add, ticket=opened, author=agent, body="Which till?")
    raw = mail(frm=requester.email, to=reply_mail.extra_headers["Reply-To"], subject="till 3")
    _inbound, outcome = take(raw)
    assert outcome == f"comment {opened.reference}"


def test_a_forged_signature_threads_nothing(opened, agent, requester, other_requester, sent):
    [reply_mail] = sent(comment_add, ticket=opened, author=agent, body="Which till?")
    real = reply_mail.extra_headers["Message-ID"]  # <sb.<id>.<signature>@<domain>>
    local, domain = real.split("@")
    forged = f"{local.rsplit('.', 1)[0]}.{'a' * 16}@{domain}"
    assert forged != real
    inbound, outcome = take(
        mail(frm=other_requester.email, subject="hello", In_Reply_To=forged, References=forged)
    )
    assert outcome.startswith("created ")
    assert inbound.ticket != opened


def test_a_tracking_number_counts_only_from_people_on_the_ticket(
    opened, requester, other_requester
):
    _, outcome = take(mail(frm=requester.email, subject=f"Re: [{opened.reference}] more info"))
    assert outcome == f"comment {opened.reference}"

    stranger, outcome = take(mail(frm=other_requester.email, subject=f"[{opened.reference}] hi"))
    assert outcome.startswith("created ")
    assert stranger.ticket != opened
    assert not Comment.objects.filter(ticket=opened, author=other_requester).exists()


def test_people_copied_follow_the_ticket_get_replies_and_their_answers_land(
    mailbox, triage_team, team, agent, sent
):
    raw = mail(frm="rita@example.com", to=DESK, Cc="Carl Copy <carl@example.com>, " + DESK)
    take(raw, mailbox)
    ticket = Ticket.objects.get()
    carl = User.objects.get(email="carl@example.com")
    assert list(ticket.followers.values_list("user__email", flat=True)) == ["carl@example.com"]
    ticket_update(ticket=ticket, actor=agent, data={"team": team})

    mails = sent(comment_add, ticket=ticket, author=agent, body="Restart the till, please.")
    assert sorted(m.to[0] for m in mails) == ["carl@example.com", "rita@example.com"]

    to_carl = next(m for m in mails if m.to == ["carl@example.com"])
    mails = sent(take, _reply_to(to_carl, "carl@example.com", body="Restarted: still frozen."))
    assert Comment.objects.filter(ticket=ticket).latest("pk").author == carl
    assert "rita@example.com" in [m.to[0] for m in mails]  # the requester sees the CC's answer


def test_a_forwarded_message_answered_by_someone_else_lands_and_they_follow(opened, agent, sent):
    [reply_mail] = sent(comment_add, ticket=opened, author=agent, body="Which till?")
    _inbound, outcome = take(_reply_to(reply_mail, "store.manager@example.com", body="Till 3."))
    assert outcome == f"comment {opened.reference}"
    manager = User.objects.get(email="store.manager@example.com")
    assert opened.followers.filter(user=manager).exists()


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(opened, agent, requester, sent):
    [reply_mail] = sent(comment_add, ticket=opened, author=agent, body="Fixed.")
    sent(ticket_update, ticket=opened, actor=agent, data={"status": TicketStatus.CLOSED})
    inbound, outcome = take(_reply_to(reply_mail, requester.email, body="It is back."))
    follow_up = inbound.ticket
    assert outcome == f"created {follow_up.reference}"
    assert follow_up != opened
    assert follow_up.description.startswith(f"Follow-up to {opened.reference}")


def test_a_reply_to_a_sign_in_link_is_ignored(requester, sent):
    from apps.accounts.services import sign_in_link_send

    [link_mail] = sent(sign_in_link_send, email=requester.email)
    inbound, outcome = take(_reply_to(link_mail, requester.email, body="thanks"))
    assert inbound.status == Status.IGNORED
    assert outcome == f"ignored {inbound.pk}: a reply to an automatic e-mail (sign in link)"
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X_Autoreply": "yes"},
    ],
)
def test_auto_replies_never_open_tickets_or_get_answers(mailbox, triage_team, headers, sent):
    mails = sent(take, mail(**headers), mailbox)
    inbound = InboundMessage.objects.get()
    assert inbound.status == Status.IGNORED
    assert not Ticket.objects.exists()
    assert mails == []


def test_an_out_of_office_reply_on_a_ticket_is_ignored(opened, agent, requester, sent):
    [reply_mail] = sent(comment_add, ticket=opened, author=agent, body="Which till?")
    raw = _reply_to(reply_mail, requester.email, body="I am away until Monday.")
    raw = raw.replace(b"Subject: Re:", b"Subject: Automatic reply: Re:")
    mails = sent(take, raw)
    assert InboundMessage.objects.get().status == Status.IGNORED
    assert opened.comments.count() == 1
    assert mails == []


def test_mail_from_the_desk_itself_is_a_loop_and_ignored(mailbox, triage_team):
    inbound, outcome = take(mail(frm="support@switchboard.local"), mailbox)
    assert outcome == f"ignored {inbound.pk}: sent by Switchboard itself (a mail loop)"


def test_a_flood_from_one_sender_is_set_aside_and_an_admin_can_accept_it(
    mailbox, triage_team, settings
):
    settings.MAIL_MAX_PER_SENDER_PER_HOUR = 2
    outcomes = [take(mail(subject=f"Problem {n}"), mailbox)[1] for n in range(3)]
    assert [o.split()[0] for o in outcomes] == ["created", "created", "ignored"]
    assert "more than 2 messages in an hour" in outcomes[2]
    flooded = InboundMessage.objects.get(status=Status.IGNORED)

    [line] = inbound_retry(message_ids=[flooded.pk], accept_anyway=True)
    assert line.startswith("created ")
    assert Ticket.objects.count() == 3


def test_a_ticket_takes_a_limited_number_of_mails_an_hour(opened, requester, settings):
    settings.MAIL_MAX_PER_TICKET_PER_HOUR = 1
    subject = f"Re: [{opened.reference}] more"
    first = take(mail(frm=requester.email, subject=subject, body="one"))[1]
    second = take(mail(frm=requester.email, subject=subject, body="two"))[1]
    assert first == f"comment {opened.reference}"
    assert second.startswith("ignored ")
    assert "e-mails in an hour" in second


def test_a_bounce_marks_the_address_undeliverable_and_mail_stops(opened, agent, requester, sent):
    dsn = (
        "From: MAILER-DAEMON@mx.example\r\nTo: support@switchboard.local\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b1@mx.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\n\r\n"
        f"Final-Recipient: rfc822; {requester.email}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n--B--\r\n"
    ).encode()
    inbound, outcome = take(dsn)
    assert inbound.status == Status.IGNORED
    assert "bounce for rita@example.com" in outcome
    requester.refresh_from_db()
    assert requester.email_bounced_at is not None
    assert "User unknown" in requester.email_bounce_reason
    assert sent(comment_add, ticket=opened, author=agent, body="Still there?") == []


def test_a_broken_message_is_quarantined_with_its_reason_and_kept(mailbox, triage_team):
    inbound, outcome = take(b"\x00\x01 this is not an e-mail \xff\xfe", mailbox)
    assert inbound.status == Status.QUARANTINED
    assert outcome.startswith(f"quarantined {inbound.pk}: ")
    assert bytes(inbound.raw) == b"\x00\x01 this is not an e-mail \xff\xfe"
    assert not Ticket.objects.exists()


def test_a_failure_half_way_leaves_nothing_behind_and_a_retry_takes_it(
    mailbox, triage_team, lookups
):
    """A real fault: the mailbox's default category was retired, so opening the ticket fails
    after the sender's account was made. Nothing of the attempt remains; fixed, a retry works."""
    category = lookups["category"]
    category.is_active = False
    category.save()
    mailbox.default_category = category
    mailbox.save()

    inbound, outcome = take(mail(frm="new.person@example.com"), mailbox)
    assert inbound.status == Status.QUARANTINED
    assert "Unknown category" in outcome
    assert not User.objects.filter(email="new.person@example.com").exists()
    assert not Ticket.objects.exists()
    assert inbound.message_id == ""

    category.is_active = True
    category.save()
    [line] = inbound_retry(message_ids=[inbound.pk])
    ticket = Ticket.objects.get()
    assert line == f"created {ticket.reference}"
    assert ticket.category == category


def test_unknown_senders_wait_in_quarantine_where_the_mailbox_takes_known_people_only(
    mailbox, triage_team
):
    mailbox.unknown_senders = UnknownSenders.KNOWN
    mailbox.save()
    inbound, outcome = take(mail(frm="who@else.example"), mailbox)
    assert inbound.status == Status.QUARANTINED
    assert "not a known sender" in outcome
    assert not User.objects.filter(email="who@else.example").exists()

    User.objects.create_user(email="who@else.example")  # an admin adds the person
    [line] = inbound_retry(message_ids=[inbound.pk])
    assert line.startswith("created ")


def test_a_reply_to_a_subtask_mail_becomes_a_message_on_the_subtask(opened, agent, sent):
    from apps.subtasks.models import SubtaskComment, SubtaskKind
    from apps.subtasks.services import subtask_create

    collaborator = User.objects.create_user(email="ops@example.com", full_name="Olga Ops")
    kind, _ = SubtaskKind.objects.get_or_create(name="Data fix")
    mails = sent(
        subtask_create,
        ticket=opened,
        actor=agent,
        title="Fix the loyalty table",
        kind=kind,
        assignee_user=collaborator,
    )
    link_mail = next(m for m in mails if m.to == ["ops@example.com"])
    inbound, outcome = take(_reply_to(link_mail, "ops@example.com", body="Done on till 3."))
    assert inbound.status == Status.SUBTASK
    [message] = SubtaskComment.objects.all()
    assert message.author == collaborator
    assert message.body == "Done on till 3."
    assert outcome.startswith(f"comment {opened.reference} (subtask ")


def test_the_mailbox_default_team_takes_what_no_rule_places(mailbox, triage_team, team):
    mailbox.default_team = team
    mailbox.save()
    take(mail(), mailbox)
    assert Ticket.objects.get().team == team


def test_a_routing_rule_can_look_at_the_mailbox_address(
    mailbox, triage_team, other_team, admin_user
):
    from apps.routing.rules import rule_create

    rule_create(
        actor=admin_user,
        data={
            "name": "Help mailbox to Networks",
            "conditions": {"all": [{"field": "intake_address", "op": "equals", "value": DESK}]},
            "actions": [{"action": "set_team", "params": {"team": other_team.pk}}],
        },
    )
    take(mail(to=f"Help Desk <{DESK}>"))  # piped with no --mailbox: found by address
    assert Ticket.objects.get().team == other_team


FIXTURES = Path(__file__).with_name("fixtures")
EXPECTED = {  # what each fixture comes to on a fresh desk (replies name tickets that do not exist)
    "auto_reply_rfc3834": Status.IGNORED,
    "out_of_office_outlook": Status.IGNORED,
    "precedence_bulk": Status.IGNORED,
    "bounce_dsn": Status.IGNORED,
    "bounce_nonstandard": Status.IGNORED,
    "no_from": Status.QUARANTINED,
    "garbage": Status.QUARANTINED,
}


def test_every_fixture_is_taken_once_and_none_is_lost_or_doubled_on_re_ingest(mailbox, triage_team):
    files = sorted(FIXTURES.glob("*.eml"))
    assert len(files) >= 20
    for path in files:
        message, outcome = take(path.read_bytes(), mailbox)
        assert message.status == EXPECTED.get(path.stem, Status.CREATED), (path.name, outcome)
        assert outcome.split()[0] in ("created", "ignored", "quarantined"), outcome
    stored, tickets = InboundMessage.objects.count(), Ticket.objects.count()
    assert stored == len(files)
    assert tickets == len(files) - len(EXPECTED)

    for path in files:  # the MTA delivers everything again
        take(path.read_bytes(), mailbox)
    assert (InboundMessage.objects.count(), Ticket.objects.count()) == (stored, tickets)


def test_a_forged_agent_address_with_a_tracking_number_speaks_only_internally(
    opened, agent, requester, sent
):
    """Anyone can write From: agent@… and a tracking number; only a signed thread may speak
    to the requester in the agent's name."""
    raw = mail(frm=agent.email, subject=f"[{opened.reference}] send us your password")
    mails = sent(take, raw)
    note = Comment.objects.filter(ticket=opened).latest("pk")
    assert note.is_internal
    assert note.author == agent
    assert requester.email not in [m.to[0] for m in mails]

    sent(ticket_update, ticket=opened, actor=agent, data={"assignee": agent})
    [to_agent] = sent(comment_add, ticket=opened, author=requester, body="Hello?")
    mails = sent(take, _reply_to(to_agent, agent.email, body="Working on it."))
    reply = Comment.objects.filter(ticket=opened).latest("pk")
    assert not reply.is_internal
    assert [m.to for m in mails] == [[requester.email]]


def test_a_message_its_senders_domain_disowns_waits_for_an_admin(mailbox, triage_team):
    raw = mail(
        frm="ceo@bank.example",
        Authentication_Results="mx.example.com; spf=fail smtp.mailfrom=bank.example; dmarc=fail",
    )
    inbound, outcome = take(raw, mailbox)
    assert inbound.status == Status.QUARANTINED
    assert "DMARC failed" in outcome
    assert not Ticket.objects.exists()
    [line] = inbound_retry(message_ids=[inbound.pk])
    assert line.startswith("quarantined ")  # a plain retry does not wave it through
    [line] = inbound_retry(message_ids=[inbound.pk], accept_anyway=True)
    assert line.startswith("created ")


def test_a_forged_requester_cannot_copy_in_someone_to_read_the_replies(opened, requester):
    raw = mail(
        frm=requester.email,
        Cc="spy@evil.example",
        subject=f"Re: [{opened.reference}] please copy my colleague",
    )
    _, outcome = take(raw)
    assert outcome == f"comment {opened.reference}"
    assert not opened.followers.exists()
