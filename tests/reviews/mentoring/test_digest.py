"""Monday's digest: one e-mail per sponsor per week through the outbox, listing each tech's
tickets with their summary and the link to the week's review; once, however often it runs."""

import datetime

from celery.schedules import crontab
from django.conf import settings
from django.core import mail

from apps.core.models import OutboxMessage
from apps.reviews.mentoring.services import entry_summarise, pairing_create
from apps.reviews.mentoring.tasks import mentoring_digest_task
from config.celery import app
from tests.factories import agent_of

from .conftest import WEEK, during

MONDAY_AFTER = WEEK + datetime.timedelta(days=7)


def run_digest(django_capture_on_commit_callbacks):
    with during(MONDAY_AFTER, hour=7), django_capture_on_commit_callbacks(execute=True):
        return mentoring_digest_task.delay().get()


def test_one_digest_per_sponsor_per_week_even_if_run_twice(
    people, desk, worked, django_capture_on_commit_callbacks
):
    entry_summarise(
        actor=people["tariq"],
        week=WEEK,
        ticket=worked["tickets"]["Tariq"],
        summary="Cleaned the print head.",
        passed_on=False,
    )
    mail.outbox.clear()
    assert run_digest(django_capture_on_commit_callbacks) == 1
    assert run_digest(django_capture_on_commit_callbacks) == 0

    [message] = OutboxMessage.objects.filter(kind="mentoring_digest")
    assert message.to == "sofia@example.com"
    assert message.dedupe_key == f"mentoring-digest:{people['sponsor'].pk}:2024-06-03"
    body = message.body
    for _name, ticket in worked["tickets"].items():
        assert ticket.reference in body
        assert ticket.subject in body
    assert "Cleaned the print head." in body
    assert "No summary yet." in body  # Mia and Ines have not written theirs
    assert worked["passed"].reference in body
    assert "/reviews/mentoring/week/2024-06-03/" in body
    assert [m.to for m in mail.outbox] == [["sofia@example.com"]]


def test_each_sponsor_gets_their_own_and_nothing_when_their_techs_did_nothing(
    people, desk, worked, django_capture_on_commit_callbacks
):
    idle = agent_of(desk, email="ivan@example.com", full_name="Ivan Idle")
    pairing_create(actor=people["lead"], team=desk, sponsor=people["other"], techs=[idle])
    assert run_digest(django_capture_on_commit_callbacks) == 1
    assert not OutboxMessage.objects.filter(to="otto@example.com").exists()


def test_the_digest_is_about_last_week(people, worked, django_capture_on_commit_callbacks):
    """Run a week later still, it is about the week then just over: nothing closed in it."""
    with during(MONDAY_AFTER + datetime.timedelta(days=7), hour=7):
        assert mentoring_digest_task.delay().get() == 0
    assert not OutboxMessage.objects.filter(kind="mentoring_digest").exists()


def test_beat_sends_it_on_monday_at_seven_in_the_desks_time_zone():
    entry = settings.CELERY_BEAT_SCHEDULE["reviews-mentoring-digest"]
    assert entry["task"] == mentoring_digest_task.name
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.day_of_week == {1}
    assert schedule.hour == {7}
    assert schedule.minute == {0}
    assert str(app.conf.timezone) == settings.TIME_ZONE
