"""The database drops the connections (a restart, a failover, pg_terminate_backend).

With persistent connections (CONN_MAX_AGE) the first fault-injection run answered 500 to a
quarter of the requests after the kill: each process reused its dead connection once. With
CONN_HEALTH_CHECKS Django tests a reused connection at the start of a request and opens a new
one instead.
"""

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.urls import reverse

from apps.tickets.models import Ticket
from tests.conftest import signed_in

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def persistent_connection():
    """Connections kept between requests, as production runs with CONN_MAX_AGE."""
    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 600
    connection.close()
    connection.ensure_connection()  # opened under the new maximum age
    yield connection
    connection.settings_dict["CONN_MAX_AGE"] = saved
    connection.close()


def terminate(backend_pid: int) -> None:
    """Kill the web process's connection from another one, as a DBA or a failover would."""
    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        dbname=params["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [backend_pid])


def next_request() -> None:
    """What Django's request handler does when a request starts (the test client skips it)."""
    close_old_connections()


def test_a_request_after_the_connection_was_killed_succeeds(persistent_connection, requester):
    assert persistent_connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    client = signed_in(requester)
    assert client.get(reverse("portal:tickets")).status_code == 200
    killed = persistent_connection.connection.info.backend_pid

    terminate(killed)
    next_request()
    listing = client.get(reverse("portal:tickets"))
    next_request()
    created = client.post(
        reverse("portal:new"), {"subject": "VPN drops", "description": "Every hour."}
    )

    assert listing.status_code == 200
    assert created.status_code == 302
    assert Ticket.objects.filter(subject="VPN drops").exists()
    assert persistent_connection.connection.info.backend_pid != killed
