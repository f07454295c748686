"""Single sign-on, end to end against an OpenID provider this module starts on 127.0.0.1.

The browser's part is played by Django's test client (the desk) and requests (the provider's
/authorize); the desk itself calls the provider's discovery, /token, /jwks and /userinfo over
HTTP, as it would in production.
"""

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

CLIENT_ID = "switchboard-desk"
CLIENT_SECRET = "provider-shared-secret"


class Provider:
    """A minimal OpenID provider. ``person`` is who signs in next; ``id_token_changes`` and
    ``tamper`` make the next id_token wrong in one way."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.person: dict = {}
        self.id_token_changes: dict = {}
        self.tamper = False
        self.token_calls = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def jwks(self) -> dict:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": "test-key", "alg": "RS256", "use": "sig"}]}

    def id_token(self, grant: dict) -> str:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": grant["person"]["sub"],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            **grant["person"],
            **self.id_token_changes,
        }
        key = self.other_key if self.tamper else self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "test-key"})

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, body, status=200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    return self._json(
                        {
                            "issuer": provider.url,
                            "authorization_endpoint": f"{provider.url}/authorize",
                            "token_endpoint": f"{provider.url}/token",
                            "userinfo_endpoint": f"{provider.url}/userinfo",
                            "jwks_uri": f"{provider.url}/jwks",
                        }
                    )
                if url.path == "/jwks":
                    return self._json(provider.jwks())
                if url.path == "/authorize":
                    assert query["client_id"] == CLIENT_ID
                    assert query["response_type"] == "code"
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {
                        "nonce": query.get("nonce"),
                        "redirect_uri": query["redirect_uri"],
                        "person": dict(provider.person),
                    }
                    back = {"code": code, "state": query["state"]}
                    self.send_response(302)
                    self.send_header("Location", f"{query['redirect_uri']}?{urlencode(back)}")
                    self.end_headers()
                    return None
                if url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in provider.tokens:
                        return self._json({"error": "invalid_token"}, 401)
                    return self._json(provider.tokens[token])
                return self._json({"error": "not_found"}, 404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlsplit(self.path).path != "/token":
                    return self._json({"error": "not_found"}, 404)
                provider.token_calls += 1
                grant = provider.codes.pop(form.get("code"), None)
                if (
                    grant is None
                    or form.get("client_id") != CLIENT_ID
                    or form.get("client_secret") != CLIENT_SECRET
                    or form.get("redirect_uri") != grant["redirect_uri"]
                ):
                    return self._json({"error": "invalid_grant"}, 400)
                access = secrets.token_urlsafe(16)
                provider.tokens[access] = grant["person"]
                return self._json(
                    {
                        "access_token": access,
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider.id_token(grant),
                    }
                )

        return Handler


@pytest.fixture(scope="module")
def provider():
    provider = Provider()
    yield provider
    provider.server.shutdown()
    provider.server.server_close()


@pytest.fixture
def op(provider, settings):
    """Single sign-on switched on against the local provider, found by discovery."""
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Test SSO"
    settings.OIDC_OP_DISCOVERY = f"{provider.url}/.well-known/openid-configuration"
    settings.OIDC_CREATE_USERS = True
    provider.person = {}
    provider.id_token_changes = {}
    provider.tamper = False
    return provider


def person(email, verified=True, **claims):
    return {"sub": f"sub-{email}", "email": email, "email_verified": verified, **claims}


def sign_in(client: Client, *, state=None):
    """Our start page → the provider's /authorize → our callback; the callback's answer."""
    start = client.get(reverse("oidc:authenticate"))
    assert start.status_code == 302
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == reverse("oidc:callback")
    query = parse_qs(back.query)
    if state is not None:
        query["state"] = [state]
    return client.get(back.path, {k: v[0] for k, v in query.items()})


def signed_in_user(client: Client):
    return client.get(reverse("home")).wsgi_request.user


def assert_refused(client: Client, response):
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert not signed_in_user(client).is_authenticated


def test_a_known_person_signs_in_as_themself_whatever_the_case_of_their_address(op):
    rita = UserFactory(email="rita@example.com")
    op.person = person("Rita@Example.COM", name="Rita R", is_staff=True, groups=["admins"])
    client = Client()

    response = sign_in(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user(client) == rita
    rita.refresh_from_db()
    assert not rita.is_staff  # claims never elevate
    assert not rita.is_superuser
    assert User.objects.count() == 1


def test_an_unknown_verified_address_becomes_a_requester(op):
    op.person = person("new.person@example.com", name="New Person", is_staff=True)
    client = Client()

    sign_in(client)

    user = signed_in_user(client)
    assert user.email == "new.person@example.com"
    assert user.full_name == "New Person"
    assert user.role == "requester"
    assert not user.is_staff
    assert not user.has_usable_password()


def test_unknown_addresses_are_refused_when_creating_users_is_off(op, settings):
    settings.OIDC_CREATE_USERS = False
    op.person = person("new.person@example.com")
    client = Client()

    assert_refused(client, sign_in(client))
    assert not User.objects.exists()


@pytest.mark.parametrize("verified", [False, None, "false"])
def test_an_unverified_address_is_refused_even_for_a_known_account(op, verified):
    UserFactory(email="rita@example.com")
    op.person = person("rita@example.com", verified=verified)
    client = Client()

    assert_refused(client, sign_in(client))


def test_a_deactivated_person_is_refused(op):
    UserFactory(email="rita@example.com", is_active=False)
    op.person = person("rita@example.com")
    client = Client()

    assert_refused(client, sign_in(client))


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        pytest.param({"tamper": True}, "Signature verification failed", id="another-key"),
        pytest.param({"id_token_changes": {"aud": "another-app"}}, "Audience", id="wrong-aud"),
        pytest.param(
            {"id_token_changes": {"iss": "http://evil.example"}}, "issuer", id="wrong-iss"
        ),
        pytest.param(
            {"id_token_changes": {"exp": int(time.time()) - 3600}}, "expired", id="expired"
        ),
        pytest.param({"id_token_changes": {"nonce": "replayed"}}, "Nonce", id="wrong-nonce"),
    ],
)
def test_an_id_token_that_does_not_verify_is_refused(op, spoil, reason, caplog):
    UserFactory(email="rita@example.com")
    op.person = person("rita@example.com")
    for name, value in spoil.items():
        setattr(op, name, value)
    client = Client()

    assert_refused(client, sign_in(client))
    assert reason in caplog.text


def test_a_mismatched_state_is_refused_before_the_code_is_used(op, caplog):
    UserFactory(email="rita@example.com")
    op.person = person("rita@example.com")
    op.token_calls = 0
    client = Client()

    assert_refused(client, sign_in(client, state="not-the-state-we-sent"))
    assert "state not found" in caplog.text
    assert op.token_calls == 0


def test_a_callback_from_another_browser_is_refused(op):
    """The state lives in the session that started the flow: a code replayed elsewhere fails."""
    UserFactory(email="rita@example.com")
    op.person = person("rita@example.com")
    victim, attacker = Client(), Client()
    start = attacker.get(reverse("oidc:authenticate"))
    back = requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]

    assert_refused(victim, victim.get(back.removeprefix("http://testserver")))


def test_explicit_endpoints_work_without_discovery(op, settings):
    settings.OIDC_OP_DISCOVERY = ""
    settings.OIDC_OP_ISSUER = op.url
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{op.url}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{op.url}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{op.url}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{op.url}/jwks"
    rita = UserFactory(email="rita@example.com")
    op.person = person("rita@example.com")
    client = Client()

    sign_in(client)

    assert signed_in_user(client) == rita


def test_a_password_sign_in_carrying_code_and_state_never_calls_the_provider(op, client):
    rita = UserFactory(email="rita@example.com", password="correct horse battery")
    op.token_calls = 0

    response = client.post(
        reverse("accounts:login") + "?code=x&state=y",
        {"username": rita.email, "password": "correct horse battery"},
    )

    assert response.status_code == 302
    assert signed_in_user(client) == rita
    assert op.token_calls == 0


def test_the_sign_in_page_offers_the_provider_only_when_configured(op, client, settings):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Sign in with Test SSO" in page
    assert reverse("oidc:authenticate") in page

    settings.OIDC_ENABLED = False
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Sign in with" not in page
    assert client.get(reverse("oidc:authenticate")).status_code == 404
    assert client.get(reverse("oidc:callback")).status_code == 404
