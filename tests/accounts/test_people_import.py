"""Importing people from CSV: all rows or none, line-numbered errors, a preview that changes
nothing, updates instead of duplicates, and a bounded number of queries."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from apps.accounts.models import Membership, Organisation, User
from apps.accounts.people_import import PeopleImportError, people_import, people_rows_from_csv

from ..factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "email,full_name,organisation,team,role\n"


@pytest.fixture
def world(admin_user):
    return {
        "org": Organisation.objects.create(name="Northwind Retail"),
        "team": TeamFactory(name="Networks", slug="networks"),
        "admin": admin_user,
    }


def run(text: str, actor, dry_run=False):
    return people_import(rows=people_rows_from_csv(text), actor=actor, dry_run=dry_run)


def test_people_are_created_updated_and_seated(world):
    existing = UserFactory(email="rita@northwind.example", full_name="Rita Old")
    csv = HEADER + (
        "Rita@Northwind.example,Rita Requester,Northwind Retail,,requester\n"
        "nick@northwind.example,Nick Net,northwind retail,networks,agent\n"
        "lena@northwind.example,Lena Lead,Northwind Retail,networks,lead\n"
    )

    result = run(csv, world["admin"])

    assert result.created == ["nick@northwind.example", "lena@northwind.example"]
    assert result.updated == ["rita@northwind.example"]
    existing.refresh_from_db()
    assert existing.full_name == "Rita Requester"
    assert existing.organisation == world["org"]
    assert existing.check_password("correct-horse-battery")  # passwords are never touched
    nick = User.objects.get(email="nick@northwind.example")
    assert not nick.has_usable_password()
    assert nick.is_active
    assert not nick.is_staff
    assert User.objects.get(email="lena@northwind.example").role == "lead"
    assert nick.role == "agent"
    assert User.objects.filter(email__iexact="rita@northwind.example").count() == 1

    again = run(csv, world["admin"])  # importing the same file twice changes nothing
    assert again.created == []
    assert again.updated == []
    assert len(again.unchanged) == 3
    assert Membership.objects.count() == 2


def test_a_dry_run_previews_and_changes_nothing(world):
    csv = HEADER + "nick@northwind.example,Nick Net,Northwind Retail,networks,agent\n"

    result = run(csv, world["admin"], dry_run=True)

    assert result.created == ["nick@northwind.example"]
    assert result.seats_added == ["nick@northwind.example → networks (agent)"]
    assert not User.objects.filter(email="nick@northwind.example").exists()
    assert not Membership.objects.exists()


def test_one_wrong_line_stops_the_whole_file_and_every_line_is_named(world):
    csv = HEADER + (
        "ok@northwind.example,Ok,Northwind Retail,,requester\n"
        "bad-address,Bad,Northwind Retail,,requester\n"
        "x@northwind.example,X,Northwind Retail,netwrks,agent\n"
        "y@northwind.example,Y,Nortwind,,requester\n"
        "z@northwind.example,Z,,,admin\n"
        "ok@northwind.example,Twice,,,\n"
        "a@northwind.example,A,,,agent\n"
    )

    with pytest.raises(PeopleImportError) as caught:
        run(csv, world["admin"])

    assert caught.value.errors == [
        "line 3: not an e-mail address 'bad-address'",
        "line 4: unknown team 'netwrks'",
        "line 5: unknown organisation 'Nortwind'",
        "line 6: unknown role 'admin' (requester, agent or lead)",
        "line 7: ok@northwind.example is also on line 2",
        "line 8: an agent needs a team",
    ]
    assert not User.objects.filter(email__endswith="northwind.example").exists()


def test_an_import_cannot_make_anyone_an_admin_or_change_a_password(world):
    boss = UserFactory(email="boss@northwind.example", is_staff=True)
    csv = "email,full_name,organisation,team,role,is_staff,is_superuser,password\n"
    csv += "boss@northwind.example,Boss,,,,0,1,hunter2\nnew@northwind.example,New,,,,1,1,hunter2\n"

    run(csv, world["admin"])  # columns other than the five are ignored

    new = User.objects.get(email="new@northwind.example")
    assert not new.is_staff
    assert not new.is_superuser
    assert not new.has_usable_password()
    boss.refresh_from_db()
    assert boss.is_staff
    assert not boss.is_superuser
    assert boss.check_password("correct-horse-battery")


def test_a_thousand_rows_cost_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    for i in range(0, 300):
        UserFactory(email=f"store{i}@northwind.example")  # some exist: updated, not duplicated
    lines = [
        f"store{i}@northwind.example,Store {i},Northwind Retail,"
        + ("networks,agent" if i % 10 == 0 else ",requester")
        for i in range(1000)
    ]
    rows = people_rows_from_csv(HEADER + "\n".join(lines) + "\n")

    with django_assert_max_num_queries(20):
        result = people_import(rows=rows, actor=world["admin"])

    assert len(result.created) == 700
    assert len(result.updated) == 300
    assert User.objects.filter(email__startswith="store").count() == 1000
    assert Membership.objects.filter(team=world["team"]).count() == 100


def test_the_command_imports_and_reports_errors(world, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(HEADER + "nick@northwind.example,Nick,Northwind Retail,networks,agent\n")
    out = io.StringIO()
    call_command(
        "import_people", str(path), "--dry-run", "--actor", world["admin"].email, stdout=out
    )
    assert "Would create 1" in out.getvalue()
    assert not User.objects.filter(email="nick@northwind.example").exists()

    call_command("import_people", str(path), "--actor", world["admin"].email, stdout=io.StringIO())
    assert User.objects.get(email="nick@northwind.example").role == "agent"

    path.write_text(HEADER + "x@northwind.example,X,,netwrks,agent\n")
    with pytest.raises(CommandError, match="line 2: unknown team 'netwrks'"):
        call_command("import_people", str(path), "--actor", world["admin"].email)


def _upload(client, text, dry_run):
    data = {"file": SimpleUploadedFile("people.csv", text.encode(), "text/csv")}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("admin:accounts_user_import"), data)


def test_the_admin_page_previews_then_imports(world):
    client = Client()
    client.force_login(world["admin"])
    csv = HEADER + "nick@northwind.example,Nick,Northwind Retail,networks,agent\n"
    changelist = client.get(reverse("admin:accounts_user_changelist"))
    assert reverse("admin:accounts_user_import").encode() in changelist.content

    preview = _upload(client, csv, dry_run=True)
    assert preview.status_code == 200
    assert b"Preview" in preview.content
    assert b"nick@northwind.example" in preview.content
    assert not User.objects.filter(email="nick@northwind.example").exists()

    assert _upload(client, csv, dry_run=False).status_code == 200
    assert User.objects.filter(email="nick@northwind.example").exists()

    wrong = _upload(client, HEADER + "x@n.example,X,,netwrks,agent\n", dry_run=False)
    assert b"line 2: unknown team &#x27;netwrks&#x27;" in wrong.content


def test_only_staff_with_the_add_user_permission_may_import(world, requester, agent):
    csv = HEADER + "nick@northwind.example,Nick,Northwind Retail,networks,lead\n"
    viewer = UserFactory(email="viewer@example.com", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    adder = UserFactory(email="adder@example.com", is_staff=True)
    adder.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "add_user"]))
    for user, expected in [(None, 302), (requester, 302), (agent, 302), (viewer, 403)]:
        client = Client()
        if user:
            client.force_login(user)
        response = _upload(client, csv, dry_run=False)
        assert response.status_code == expected, user
        assert client.get(reverse("admin:accounts_user_import")).status_code == expected
    assert not User.objects.filter(email="nick@northwind.example").exists()

    client = Client()
    client.force_login(adder)
    assert _upload(client, csv, dry_run=False).status_code == 200
    assert User.objects.filter(email="nick@northwind.example").exists()
