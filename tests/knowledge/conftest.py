import pytest

from tests.conftest import signed_in

from .factories import ArticleFactory


@pytest.fixture
def lead_client(lead):
    return signed_in(lead)


@pytest.fixture
def vpn_article(db):
    return ArticleFactory(
        title="Connect to the VPN from home",
        slug="connect-to-the-vpn-from-home",
        summary="Install the client, sign in with your badge number.",
        body="Open **GlobalConnect**, enter `vpn.example.com` and sign in.\n\n"
        "If the connection drops, restart the client.",
    )


@pytest.fixture
def password_article(db):
    return ArticleFactory(
        title="Reset your password",
        slug="reset-your-password",
        summary="Forgot it? Get a reset link by e-mail.",
        body="Go to the sign-in page and choose *Forgot password*. "
        "The link in the e-mail is valid for 15 minutes.",
    )
