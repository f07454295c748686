"""Overdue subtasks: a reminder to the assignee, then their manager is told — each once."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from apps.accounts.models import User
from apps.subtasks.services import subtask_create, subtask_transition
from apps.subtasks.tasks import send_overdue_reminders
from apps.tickets.models import TicketEvent

from .conftest import link_from_mail

START = datetime.datetime(2031, 3, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def overdue_work(ticket, agent, kinds, collaborator, other_collaborator):
    manager = User.objects.create_user(email="maya.manager@example.com", full_name="Maya Chen")
    collaborator.manager = manager
    collaborator.save()
    with time_machine.travel(START, tick=False):
        late = subtask_create(
            ticket=ticket,
            actor=agent,
            title="Fix the prices",
            kind=kinds["Data fix"],
            assignee_user=collaborator,
            due_date=datetime.date(2031, 3, 11),
        )
        finished = subtask_create(
            ticket=ticket,
            actor=agent,
            title="Already done",
            kind=kinds["Other"],
            assignee_user=other_collaborator,
            due_date=datetime.date(2031, 3, 11),
        )
        subtask_transition(subtask=finished, actor=other_collaborator, status="done")
    return late, manager


def sweep(django_capture_on_commit_callbacks) -> dict:
    """The beat job, its e-mails sent from the outbox after it commits."""
    with django_capture_on_commit_callbacks(execute=True):
        return send_overdue_reminders.delay().get()


def test_reminder_then_manager_each_exactly_once(
    overdue_work, collaborator, client, django_capture_on_commit_callbacks
):
    late, manager = overdue_work
    mail.outbox.clear()
    with time_machine.travel(datetime.datetime(2031, 3, 11, 18, 0, tzinfo=datetime.UTC)):
        assert sweep(django_capture_on_commit_callbacks) == {"reminded": 0, "managers": 0}

    with time_machine.travel(datetime.datetime(2031, 3, 12, 8, 0, tzinfo=datetime.UTC)):
        assert sweep(django_capture_on_commit_callbacks) == {"reminded": 1, "managers": 0}
        assert sweep(django_capture_on_commit_callbacks) == {"reminded": 0, "managers": 0}
        (reminder,) = mail.outbox
        assert reminder.to == [collaborator.email]
        assert "overdue" in reminder.subject.lower()
        # The reminder carries a working link.
        assert client.get(link_from_mail(collaborator.email), follow=True).status_code == 200

    with time_machine.travel(datetime.datetime(2031, 3, 13, 9, 0, tzinfo=datetime.UTC)):
        assert sweep(django_capture_on_commit_callbacks) == {"reminded": 0, "managers": 1}
        assert sweep(django_capture_on_commit_callbacks) == {"reminded": 0, "managers": 0}
    assert [m.to for m in mail.outbox] == [[collaborator.email], [manager.email]]
    assert "Dan Okafor" in mail.outbox[1].body
    kinds = list(
        TicketEvent.objects.filter(
            ticket=late.ticket, kind__in=["subtask_reminded", "subtask_manager_notified"]
        ).values_list("kind", flat=True)
    )
    assert kinds == ["subtask_reminded", "subtask_manager_notified"]


def test_finished_work_is_never_chased(
    overdue_work, collaborator, django_capture_on_commit_callbacks
):
    late, _ = overdue_work
    subtask_transition(subtask=late, actor=collaborator, status="done")
    mail.outbox.clear()
    with time_machine.travel(datetime.datetime(2031, 3, 20, tzinfo=datetime.UTC)):
        assert sweep(django_capture_on_commit_callbacks) == {"reminded": 0, "managers": 0}
    assert mail.outbox == []


def test_a_team_assignment_reminds_every_member(
    ticket, agent, kinds, other_team, other_agent, django_capture_on_commit_callbacks
):
    subtask_create(
        ticket=ticket,
        actor=agent,
        title="Check the store router",
        kind=kinds["Other"],
        assignee_team=other_team,
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    mail.outbox.clear()
    assert sweep(django_capture_on_commit_callbacks)["reminded"] == 1
    assert [m.to for m in mail.outbox] == [[other_agent.email]]
