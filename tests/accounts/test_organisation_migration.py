"""The migration that turns the organisation text of each person into an Organisation."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0003_user_password_changed_at")]
AFTER = [("accounts", "0004_organisation")]


@pytest.mark.django_db(transaction=True)
def test_distinct_names_become_organisations_and_people_point_at_them():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("accounts", "User")
    for i, name in enumerate(["Northwind", "northwind ", "Northwind", "Contoso", ""]):
        User.objects.create(email=f"p{i}@example.com", organisation=name, password="!")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Organisation = new.get_model("accounts", "Organisation")
    User = new.get_model("accounts", "User")

    assert sorted(Organisation.objects.values_list("name", flat=True)) == ["Contoso", "Northwind"]
    by_email = dict(User.objects.values_list("email", "organisation__name"))
    assert by_email == {
        "p0@example.com": "Northwind",
        "p1@example.com": "Northwind",
        "p2@example.com": "Northwind",
        "p3@example.com": "Contoso",
        "p4@example.com": None,
    }
    assert all(not o.requesters_share_tickets for o in Organisation.objects.all())
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest for other tests
