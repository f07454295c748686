"""Admins configure calendars and policies in Django admin; mistakes are named, not stored."""

import pytest
from django.urls import reverse

from apps.sla.models import Calendar
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def inline(prefix: str, rows: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def calendar_form(hours: list[dict]) -> dict:
    return {
        "name": "Lisbon office",
        "time_zone": "Europe/Lisbon",
        "country": "PT",
        "region": "",
        **inline("hours", hours),
        **inline("holidays", []),
    }


def test_an_admin_creates_a_calendar_with_a_split_shift(admin_user):
    client = signed_in(admin_user)
    shifts = [
        {"weekday": "0", "start": "09:00", "end": "12:30"},
        {"weekday": "0", "start": "14:00", "end": "18:00"},
    ]
    response = client.post(reverse("admin:sla_calendar_add"), calendar_form(shifts))
    assert response.status_code == 302
    calendar = Calendar.objects.get(name="Lisbon office")
    assert calendar.hours.count() == 2


def test_a_shift_that_ends_before_it_starts_is_refused(admin_user):
    client = signed_in(admin_user)
    bad = [{"weekday": "0", "start": "18:00", "end": "09:00"}]
    response = client.post(reverse("admin:sla_calendar_add"), calendar_form(bad))
    assert response.status_code == 200
    assert "A shift must end after it starts." in response.content.decode()
    assert not Calendar.objects.filter(name="Lisbon office").exists()


def test_the_policy_and_clock_pages_open(admin_user, standard):
    client = signed_in(admin_user)
    for name in ("admin:sla_policy_changelist", "admin:sla_clock_changelist"):
        assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("admin:sla_policy_change", args=[standard.pk])).status_code == 200


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"country": "XX"}, "No holiday preset for country “XX”."),
        ({"time_zone": "Mars/Olympus"}, "“Mars/Olympus” is not a time zone"),
        ({"country": "", "region": "BE"}, "Name the country of this region too."),
        ({"country": "DE", "region": "ZZ"}, "DE has no region “ZZ”."),
    ],
)
def test_unknown_holiday_presets_and_time_zones_are_refused(admin_user, fields, message):
    client = signed_in(admin_user)
    response = client.post(reverse("admin:sla_calendar_add"), {**calendar_form([]), **fields})
    assert message in response.content.decode()
    assert not Calendar.objects.filter(name="Lisbon office").exists()
