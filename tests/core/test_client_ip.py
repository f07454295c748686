"""The client's address, as every limit reads it: only headers our own proxies wrote count."""

import pytest
from django.test import RequestFactory

from apps.core.clientip import client_ip, client_network

rf = RequestFactory()


def request(remote="192.0.2.10", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        # No proxy: X-Forwarded-For is whatever the client wrote, and ignored.
        (0, "203.0.113.7", None, "203.0.113.7"),
        (0, "203.0.113.7", "1.2.3.4", "203.0.113.7"),
        # One proxy: it appended the address it saw; anything before that is the client's.
        (1, "10.0.0.2", "203.0.113.7", "203.0.113.7"),
        (1, "10.0.0.2", "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        (1, "10.0.0.2", " 1.2.3.4 ,5.6.7.8,  203.0.113.7 ", "203.0.113.7"),
        # Two proxies: the outer one saw the client, the inner one saw the outer.
        (2, "10.0.0.3", "1.2.3.4, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        # Fewer entries than proxies: the first proxy wrote the only one (as DRF reads it).
        (2, "10.0.0.3", "203.0.113.7", "203.0.113.7"),
        # A header the proxy did not set (request straight to the app): REMOTE_ADDR.
        (1, "203.0.113.9", "", "203.0.113.9"),
        # Garbage where the address should be: never used as a key.
        (1, "10.0.0.2", "1.2.3.4, not-an-ip", "10.0.0.2"),
        (0, "", None, ""),
    ],
)
def test_client_ip(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request(remote, forwarded)) == expected


def test_ipv6_clients_are_counted_by_their_64(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    one = request("2001:db8:1:2:aaaa::1")
    other = request("2001:db8:1:2:bbbb::9")
    assert client_ip(one) == "2001:db8:1:2:aaaa::1"
    assert client_network(one) == client_network(other) == "2001:db8:1:2::"
    assert client_network(request("203.0.113.7")) == "203.0.113.7"


def test_drf_reads_the_same_proxy_count(settings):
    from django.conf import settings as live

    assert live.REST_FRAMEWORK["NUM_PROXIES"] == live.TRUSTED_PROXY_COUNT
