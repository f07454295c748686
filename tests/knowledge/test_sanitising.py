"""Article Markdown becomes HTML that cannot run anything, however it was written."""

import pytest

from apps.knowledge.rendering import html_to_text, render_markdown
from apps.knowledge.services import article_create

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(1))",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    "<svg onload=alert(1)><circle/></svg>",
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onclick="alert(1)">hi</p>',
    "![x](javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<object data="x.swf"></object><embed src=x>',
    '<form action="https://evil.example"><input name=a></form>',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss_payloads_are_neutralised(payload):
    html = render_markdown(f"Intro\n\n{payload}\n\nOutro").lower()
    for bad in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "<iframe",
        "<svg",
        "style=",
        "data:text",
        "<object",
        "<embed",
        "<form",
        "<input",
    ):
        assert bad not in html, (payload, html)


def test_markdown_formatting_survives():
    html = render_markdown(
        "## Steps\n\n1. Open **Settings**\n2. Run `ipconfig /flushdns`\n\n"
        "| Key | Value |\n| --- | --- |\n| a | b |\n\n[Portal](https://example.com/help)"
    )
    assert "<h2>Steps</h2>" in html
    assert "<strong>Settings</strong>" in html
    assert "<code>ipconfig /flushdns</code>" in html
    assert "<table>" in html
    assert 'href="https://example.com/help"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_images_from_the_article_files_keep_their_relative_link():
    html = render_markdown("![Printer tray](/help/files/3/)")
    assert 'src="/help/files/3/"' in html
    assert 'alt="Printer tray"' in html


def test_plain_text_for_search_has_no_markup():
    assert html_to_text(render_markdown("**Bold** &amp; <b>x</b>")) == "Bold & x"


def test_a_saved_article_stores_only_sanitised_html(agent):
    article = article_create(
        author=agent, title="Evil", body="Hello <script>steal()</script> <img src=x onerror=y()>"
    )
    assert "<script" not in article.body_html
    assert "onerror" not in article.body_html
    assert "steal()" not in article.body_text or "<script" not in article.body_text
