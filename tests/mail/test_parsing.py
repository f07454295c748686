"""Parsing inbound mail: each fixture in tests/mail/fixtures/, hostile bytes, reply stripping
and noise. Pure functions: no database."""

import base64
import random
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.mail.parsing import (
    REPLY_MARKER,
    MalformedEmail,
    ParsedEmail,
    noise_reason,
    parse,
    strip_reply,
)
from apps.mail.parsing.body import safe_filename
from apps.mail.parsing.html_text import html_to_text

FIXTURES = Path(__file__).parent / "fixtures"
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parsed(name: str) -> ParsedEmail:
    return parse(fixture(name))


def mail(headers: str, body: bytes | str = "Hello") -> bytes:
    """A small message: header lines (surrogates stand for raw bytes), then the body."""
    body = body.encode() if isinstance(body, str) else body
    head = f"From: Jane <jane@customer.example>\n{headers}\n\n"
    return head.encode("utf-8", "surrogateescape") + body


# --- Each fixture -------------------------------------------------------------------------


def test_a_new_request_keeps_its_text_and_loses_only_the_signature_in_the_reply():
    email = parsed("plain_new.eml")

    assert email.from_address == "jane.doe@customer.example"
    assert email.from_name == "Jane Doe"
    assert email.subject == "Till 3 freezes when scanning loyalty cards"
    assert email.message_id == "<5b1c0c3e-8f5a-4f7e-9d1e-2a8c4f0b7e11@customer.example>"
    assert email.date == datetime(2025, 3, 3, 8, 41, 5, tzinfo=UTC)
    assert email.to == ("support@desk.example.com",)
    assert email.delivered_to == ("support@desk.example.com",)
    # format=flowed: the soft line break is gone, the paragraph is one line.
    assert "about a minute every time we scan" in email.text
    assert "Store Manager, Leeds" in email.text
    assert email.reply_text.endswith("Thanks,\nJane")
    assert email.headers == {
        "return-path": "<jane.doe@customer.example>",
        "content-type": "text/plain; charset=UTF-8; format=flowed",
    }
    assert (email.attachments, email.notes, email.bounce) == ((), (), None)
    assert noise_reason(email) == ""


def test_a_gmail_reply_is_cut_at_its_wrapped_attribution_line():
    email = parsed("reply_gmail_quoted.eml")

    assert email.reply_text == "Restarting it did not help, it froze again at 10:14.\n\nJane"
    assert "> Could you restart till 3" in email.text
    assert email.in_reply_to == ("<SB-10432.57.agent_replied.12@desk.example.com>",)
    assert email.references == (
        "<SB-10432@desk.example.com>",
        "<SB-10432.57.agent_replied.12@desk.example.com>",
    )
    assert email.from_address == "jane.doe.leeds@gmail.com"


def test_an_outlook_html_reply_is_converted_and_cut_at_its_header_block():
    email = parsed("reply_outlook_html.eml")

    assert email.reply_text == (
        "Hi Alex,\n\nThe new cable fixed it, thank you – you can close the ticket.\n\n"  # noqa: RUF001
        "Kind regards,\nSam Patel\nIT Coordinator | Northwind Traders"
    )
    assert "From: Switchboard <support@desk.example.com>\nSent: Wednesday" in email.text
    assert "Please swap the USB cable" in email.text
    assert "<" not in email.text.replace("<support@", "").replace("<sam.patel@", "")
    assert email.notes == ("HTML-only message converted to text",)
    assert email.references[-1] == "<SB-10433.61.agent_replied.19@desk.example.com>"


def test_an_html_only_mail_reads_as_text_with_its_lists_and_links():
    email = parsed("html_only.eml")

    assert email.text == (
        "Hello,\n\n"
        "my order 58213 arrived today & two items were damaged:\n\n"
        "- Ceramic mug – handle broken\n"  # noqa: RUF001
        "- Glass vase – cracked\n\n"  # noqa: RUF001
        "You can see the order on my order page (https://shop.example/orders/58213). "
        "Photos are at https://photos.example/p/91\n\n"
        "Regards,\nPriya Nair"
    )
    assert email.notes == ("HTML-only message converted to text",)


def test_multipart_alternative_shows_the_plain_text_part():
    email = parsed("multipart_alternative.eml")

    assert "shows “paper jam” although" in email.text
    assert "(Müller room)" in email.text
    assert "HTML VERSION" not in email.text
    assert email.notes == ()


def test_a_forwarded_message_is_shown_under_its_headers_with_its_attachment():
    email = parsed("nested_forward_rfc822.eml")

    assert email.text.startswith("Please see the mail from our supplier below")
    assert (
        "Jane\n\n---------- Forwarded message ----------\n"
        "From: Supplier Billing <billing@supplier.example>\n"
        "Date: Sat, 08 Mar 2025 09:12:33 +0000\n"
        "Subject: Invoice 2025-031\n"
        "To: jane.doe@customer.example\n\n"
        "Dear customer,\n\nplease find attached invoice 2025-031 for 12 POS terminals."
    ) in email.text
    assert email.reply_text == email.text  # a forward is not a quote
    [invoice] = email.attachments
    assert (invoice.filename, invoice.content_type) == ("Invoice 2025-031.pdf", "application/pdf")
    assert invoice.data.startswith(b"%PDF-1.4")


def test_latin1_is_read_as_windows_1252_which_it_usually_is():
    email = parsed("latin1_declared.eml")

    assert email.subject == "Kassendrucker druckt keine Umlaute (Ä, Ö, Ü)"
    assert email.from_name == "Jürgen Müller"
    assert "statt „Grüße“ nur Fragezeichen" in email.text
    assert email.notes == ()


def test_windows_1252_declared_as_utf8_is_read_right_and_noted():
    email = parsed("mislabelled_charset.eml")

    assert "est bloquée depuis ce matin : l’écran reste noir" in email.text  # noqa: RUF001
    assert "500 € par jour" in email.text
    assert email.notes == ("part 1 declared charset 'utf-8'; read as windows-1252",)


def test_an_unknown_charset_is_guessed_and_noted():
    email = parsed("unknown_charset.eml")

    assert "skanneren på lageret i Tromsø virker ikke" in email.text
    assert email.notes == ("part 1 declared charset 'x-nonsense' (unknown); read as windows-1252",)


def test_encoded_words_in_several_charsets_are_decoded():
    email = parsed("encoded_words_subject.eml")

    assert email.subject == "プリンター故障 – Kasse 3 / till 3"  # noqa: RUF001
    assert email.from_name == "Иван Петров"
    assert email.from_address == "ivan.petrov@client.example"
    assert "Принтер на кассе 3 не печатает чеки." in email.text


def test_broken_encoded_words_fall_back_without_spoiling_the_rest():
    email = parsed("broken_encoded_word.eml")

    # Unknown charset: guessed; broken base64: left as written; unterminated: decoded.
    assert email.subject == "Café machine =?utf-8?B?broken!!?= in the lobby"
    assert email.from_name == "René Dubois"  # invalid UTF-8 inside a utf-8 word
    assert email.text == "The coffee machine in the lobby shows error E-17."
    [log] = email.attachments
    assert (log.filename, log.content_type, log.data) == (
        "résumé.txt",
        "text/plain",
        b"Error log: E-17 at 08:55",  # the last newline belongs to the boundary
    )


def test_a_pdf_attachment_is_decoded_and_the_text_is_the_plain_alternative():
    email = parsed("attachment_pdf.eml")

    assert email.text == "Hello, the attached invoice charges 12 tills; we ordered 10."
    assert email.cc == ("accounts@customer.example",)
    [pdf] = email.attachments
    assert pdf.filename == "Invoice 2025-031.pdf"
    assert pdf.content_type == "application/pdf"
    assert pdf.data.startswith(b"%PDF-1.4")
    assert pdf.data.endswith(b"%%EOF\n")
    assert (pdf.content_id, pdf.inline) == ("f_m8d2k4zq0", False)


def test_an_inline_image_is_named_in_the_text_and_marked_inline():
    email = parsed("inline_image.eml")

    assert email.text == (
        "Hi,\n\nthe self-checkout in aisle 4 shows this:\n\n[image: image001.png]\n\nSam"
    )
    [image] = email.attachments
    assert image.filename == "image001.png"
    assert image.content_type == "image/png"
    assert image.content_id == "image001.png@01DB9812.4E5F6A70"
    assert image.inline  # no Content-Disposition: inline because the HTML shows it
    assert image.data.startswith(b"\x89PNG")


def test_an_oversized_attachment_comes_through_whole():
    """12 MB, generated here: size limits are the caller's decision, not the parser's."""
    data = bytes(range(256)) * (12 * 1024 * 1024 // 256)
    raw = (
        b"From: Jane <jane@customer.example>\nSubject: Till logs\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
        b"Logs attached.\n--b\nContent-Type: application/zip\n"
        b'Content-Disposition: attachment; filename="till-logs.zip"\n'
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(data) + b"--b--\n"
    )

    email = parse(raw)

    [logs] = email.attachments
    assert (logs.filename, len(logs.data)) == ("till-logs.zip", 12 * 1024 * 1024)
    assert logs.data == data
    assert email.text == "Logs attached."


def test_an_rfc3834_auto_reply_is_noise():
    email = parsed("auto_reply_rfc3834.eml")

    assert noise_reason(email) == "auto-reply (Auto-Submitted: auto-replied)"
    assert email.headers["return-path"] == "<>"


def test_an_exchange_out_of_office_is_noise_without_auto_submitted():
    email = parsed("out_of_office_outlook.eml")

    assert "auto-submitted" not in email.headers
    assert email.headers["x-auto-response-suppress"] == "All"
    assert noise_reason(email) == "out-of-office reply"


def test_bulk_mail_is_noise():
    email = parsed("precedence_bulk.eml")

    assert noise_reason(email) == "bulk mail (Precedence: bulk)"
    assert email.headers["list-unsubscribe"].startswith("<https://posweekly.example/unsub")


def test_a_delivery_status_notification_names_the_failed_recipient():
    email = parsed("bounce_dsn.eml")

    assert email.bounce is not None
    assert email.bounce.recipients == ("old.user@customer.example",)
    assert email.bounce.diagnostic == (
        "550 5.1.1 <old.user@customer.example>: Recipient address rejected: User unknown"
    )
    assert noise_reason(email) == "delivery status notification"
    assert email.text.startswith("This is the mail system at host mx.desk.example.com.")


def test_an_old_style_bounce_is_read_from_x_failed_recipients():
    email = parsed("bounce_nonstandard.eml")

    assert email.bounce is not None
    assert email.bounce.recipients == ("gone@customer.example",)
    assert email.bounce.diagnostic == (
        "550 5.1.1 <gone@customer.example>: Recipient address rejected: User unknown"
    )
    assert noise_reason(email) == "delivery status notification"


def test_a_message_without_from_is_malformed():
    with pytest.raises(MalformedEmail, match=r"^the message has no From header$"):
        parsed("no_from.eml")


def test_binary_junk_is_malformed():
    with pytest.raises(MalformedEmail, match=r"^not an e-mail message"):
        parsed("garbage.eml")


def test_a_message_cut_off_mid_attachment_keeps_its_text_and_what_came_of_the_file():
    email = parsed("broken_boundary.eml")

    assert email.text == "Here is the signed contract for the new tills."
    [contract] = email.attachments
    assert contract.filename == "contract.pdf"
    assert contract.data.startswith(b"%PDF-1.4")
    assert email.notes == (
        "a multipart section has no closing boundary; read to the end",
        "part 2 has broken base64; kept what could be decoded",
    )


def test_an_iphone_reply_loses_its_mobile_signature_and_quote():
    email = parsed("signature_mobile.eml")

    assert email.reply_text == "Yes, the till works now."
    assert "\ufeff" not in email.text  # the BOM Apple puts into quotes


def test_our_reply_marker_cuts_a_reply_quoted_without_angle_brackets():
    email = parsed("reply_with_marker.eml")

    assert email.reply_text == "Thanks, that fixed it. You can close the ticket."
    assert REPLY_MARKER in email.text


def test_every_fixture_is_listed_in_the_readme():
    readme = (FIXTURES / "README.md").read_text()
    for path in FIXTURES.glob("*.eml"):
        assert f"`{path.name}`" in readme
        assert path.stat().st_size < 100_000


# --- More header and body cases -----------------------------------------------------------


def test_utf8_declared_as_us_ascii_is_read_as_utf8():
    email = parse(mail("Content-Type: text/plain; charset=us-ascii", "Grüße".encode()))

    assert email.text == "Grüße"
    assert email.notes == ("part 1 declared charset 'us-ascii'; read as utf-8",)


def test_eight_bit_text_without_a_charset_is_read():
    email = parse(mail("Subject: Caf\udce9 cr\udce8me", "café crème".encode("cp1252")))

    assert email.text == "café crème"
    assert email.subject == "Café crème"  # raw 8-bit header bytes, too
    assert email.notes == ("part 1 had no charset; read as windows-1252",)


def test_an_empty_plain_alternative_gives_way_to_the_html_one():
    email = parse(
        mail(
            'Content-Type: multipart/alternative; boundary="a"',
            "--a\nContent-Type: text/plain\n\n \n--a\nContent-Type: text/html\n\n"
            "<p>Only <i>here</i></p>\n--a--\n",
        )
    )

    assert email.text == "Only here"
    assert "part 1 has an empty plain-text alternative; used the HTML one" in email.notes


def test_message_ids_are_normalised():
    email = parse(
        mail(
            "Message-ID:  < abc@x.example >\nIn-Reply-To: bare@x.example\n"
            "References: <1@x.example>\n <2@x.example> <1@x.example> (comment)"
        )
    )

    assert email.message_id == "<abc@x.example>"
    assert email.in_reply_to == ("<bare@x.example>",)
    assert email.references == ("<1@x.example>", "<2@x.example>")


def test_an_unreadable_date_is_none_and_noted():
    email = parse(mail("Date: Mon, 32 Foo 2025 99:99:99"))

    assert email.date is None
    assert email.notes == ("the Date header could not be read ('Mon, 32 Foo 2025 99:99:99')",)


def test_a_date_without_zone_is_utc_and_one_with_a_zone_keeps_it():
    assert parse(mail("Date: Mon, 3 Mar 2025 10:00:00 -0000")).date == datetime(
        2025, 3, 3, 10, tzinfo=UTC
    )
    assert parse(mail("Date: Mon, 3 Mar 2025 10:00:00 +0530")).date == datetime(
        2025, 3, 3, 10, tzinfo=timezone(timedelta(hours=5, minutes=30))
    )


def test_addresses_are_lowercased_deduplicated_and_checked():
    email = parse(
        mail(
            'To: "Doe, John" <John@X.example>, broken<<>>@@, john@x.example\n'
            "Cc: =?utf-8?q?Doe,_Jane?= <Jane@X.example>\nReply-To: Desk <Desk@X.example>\n"
            "X-Original-To: support@desk.example.com\nDelivered-To: Support@Desk.example.com"
        )
    )

    assert email.to == ("john@x.example",)
    assert email.cc == ("jane@x.example",)
    assert email.reply_to == ("desk@x.example",)
    assert email.delivered_to == ("support@desk.example.com",)


@pytest.mark.parametrize(
    ("from_header", "reason"),
    [
        ("From: Jane Doe", "no usable address in the From header ('Jane Doe')"),
        ("From: <>", "no usable address in the From header ('<>')"),
        ("From: " + "(" * 5000 + "a@b.example", "no usable address in the From header"),
    ],
)
def test_a_from_without_a_usable_address_is_malformed(from_header, reason):
    with pytest.raises(MalformedEmail) as raised:
        parse(f"{from_header}\nSubject: x\n\nbody".encode())

    assert str(raised.value).startswith(reason)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "the message is empty"),
        (b"  \r\n", "the message is empty"),
        (b"\n\nFrom: a@b.example\n\nbody", "not an e-mail message"),
        (
            b"From: a@b.example\n" + b"Content-Type: message/rfc822\n\n" * 2000,
            "its MIME parts are nested too deeply to read",
        ),
    ],
)
def test_what_cannot_be_read_at_all_says_why(raw, reason):
    with pytest.raises(MalformedEmail, match=f"^{re.escape(reason)}") as raised:
        parse(raw)

    assert raised.value.__cause__ is None


def test_forwards_nested_too_deeply_stop_being_shown():
    forwards = b"Content-Type: message/rfc822\n\nFrom: x@y.example\nSubject: level\n" * 8

    email = parse(b"From: a@b.example\n" + forwards + b"\ninnermost\n")

    assert email.text.count("---------- Forwarded message ----------") == 6
    assert "innermost" not in email.text
    assert "part 1 is a forwarded message nested too deeply; not shown" in email.notes


def test_only_listed_headers_are_kept():
    email = parse(
        mail("X-Switchboard-Ticket: SB-10432\nList-Id: <tills.lists.example>\nX-Other: 1")
    )

    assert email.headers == {
        "list-id": "<tills.lists.example>",
        "x-switchboard-ticket": "SB-10432",
    }


# --- Attachment names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "safe"),
    [
        ("../../etc/passwd", "text/plain", "_.._etc_passwd"),
        ("C:\\Users\\jane\\report.pdf", "application/pdf", "C:_Users_jane_report.pdf"),
        ("invoice\u202efdp.exe", "application/pdf", "invoicefdp.exe"),  # no right-to-left trick
        ("a\x00b\tc.txt", "text/plain", "a b c.txt"),
        ("", "application/pdf", "attachment-3.pdf"),
        ("  . ", "image/png", "attachment-3.png"),
        ("", "application/x-nothing-known", "attachment-3"),
        ("", "text/x-something", "attachment-3.txt"),
        ("x" * 300 + ".docx", "application/octet-stream", "x" * 195 + ".docx"),
    ],
)
def test_attachment_names_are_safe(name, content_type, safe):
    assert safe_filename(name, content_type, 3) == safe


# --- HTML to text -------------------------------------------------------------------------


def test_html_quotes_become_angle_bracket_lines():
    text = html_to_text(
        "<p>Fine now.</p><div>On Mon, 3 Mar 2025, Desk wrote:</div>"
        "<blockquote>Did it work?<blockquote>Is it broken?</blockquote>Thanks</blockquote>"
    )

    assert text == (
        "Fine now.\n\nOn Mon, 3 Mar 2025, Desk wrote:\n> Did it work?\n> > Is it broken?\n> Thanks"
    )
    assert strip_reply(text) == "Fine now."


@pytest.mark.parametrize(
    "html",
    [
        "<p>a</p><div class='x' ",
        "<scr<script>ipt>alert(1)</script>",
        "<![CDATA[<b>x</b>]]><!-- <p>hidden</p> -->",
        "<head><title>t</title><body>body text",
        "<a href='javascript:alert(1)'>click</a><img src=x onerror=alert(1)>",
    ],
)
def test_no_markup_survives_html_conversion(html):
    assert not re.search(r"<[a-zA-Z!/]", html_to_text(html))


def test_html_entities_and_whitespace_are_tidied():
    text = html_to_text(
        "<p>Fish&nbsp;&amp;&#32;chips\n\n   &eacute;t&eacute;</p><p></p><p></p><p>x</p>"
    )

    assert text == "Fish & chips été\n\nx"


# --- Hostile bytes: a ParsedEmail or MalformedEmail, never anything else ------------------


def outcome_of(raw: bytes) -> ParsedEmail | MalformedEmail:
    try:
        return parse(raw)
    except MalformedEmail as malformed:
        return malformed


def assert_parses_or_is_malformed(raw: bytes):
    email = outcome_of(raw)  # anything else raised fails the test right here
    if isinstance(email, MalformedEmail):
        # A cause means parse() caught an unexpected exception: a bug to fix, not junk.
        assert email.__cause__ is None, repr(email.__cause__)
        assert re.fullmatch(r"[^\n]+", str(email))
        return
    assert re.fullmatch(r".+@.+", email.from_address)
    assert len(email.subject) <= 200
    for value in (email.subject, email.from_name, *email.headers.values(), *email.notes):
        assert not CONTROL_CHARACTERS.search(value)
        assert "\n" not in value
    for value in (email.text, email.reply_text):
        assert not CONTROL_CHARACTERS.search(value.replace("\t", " "))
    assert email.reply_text or not email.text
    for attachment in email.attachments:
        assert re.fullmatch(r"[^/\\\x00-\x1f]{1,200}", attachment.filename)


FIXTURE_BYTES = sorted(fixture(path.name) for path in FIXTURES.glob("*.eml"))
JUNK = [b"\x00", b"\xff\xfe", b"=?", b"?=", b"=?utf-8?b?", b"=?x?q?=FF", b"<", b">", b"@", b":",
        b";", b'"', b"\\", b"(", b"\n", b"\r\n", b"\n\n", b"--", b"boundary=", b"charset=",
        b"filename*0*=", b"%", b"cid:", b"<blockquote>", b"&#0;", b"Content-Type: multipart/mixed;"
        b" boundary=X\n", b"Content-Transfer-Encoding: base64\n"]  # fmt: skip


def mutate(data: bytes, rng: random.Random) -> bytes:
    """Truncate, flip bytes, insert MIME-ish junk, duplicate or drop spans."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        position = rng.randrange(len(data) + 1)
        operation = rng.randrange(5)
        if operation == 0:
            data[position:position] = rng.choice(JUNK)
        elif operation == 1 and data:
            data[min(position, len(data) - 1)] = rng.randrange(256)
        elif operation == 2:
            del data[position : position + rng.randint(1, 60)]
        elif operation == 3:
            data = data[:position]
        else:
            start = rng.randrange(len(data) + 1)
            data[position:position] = data[start : start + rng.randint(1, 120)]
    return bytes(data)


def test_thousands_of_mangled_fixtures_parse_or_are_malformed():
    rng = random.Random(20250303)
    for _ in range(1000):
        assert_parses_or_is_malformed(mutate(rng.choice(FIXTURE_BYTES), rng))


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays deterministic
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    raw=st.one_of(
        st.binary(max_size=3000),
        st.builds(
            lambda base, seed: mutate(base, random.Random(seed)),
            st.sampled_from(FIXTURE_BYTES),
            st.integers(0, 2**32),
        ),
        st.builds(
            lambda headers, body: b"From: a@b.example\n" + headers + b"\n\n" + body,
            st.binary(max_size=400),
            st.binary(max_size=400),
        ),
    )
)
def test_any_bytes_parse_or_are_malformed(raw):
    assert_parses_or_is_malformed(raw)


# --- Reply stripping ----------------------------------------------------------------------

REPLY = "Thanks, it works again."


@pytest.mark.parametrize(
    "quote",
    [
        "On Mon, 3 Mar 2025 at 09:12, Switchboard <support@desk.example.com> wrote:\n> Hello",
        "On Mon, 3 Mar 2025 at 09:12, Switchboard <support@desk.example.com>\nwrote:\n\n> Hello",
        "Am Mo., 3. März 2025 um 09:12 Uhr schrieb Switchboard <support@desk.example.com>:\n> Hallo",
        "Le lun. 3 mars 2025 à 09:12, Switchboard <support@desk.example.com> a écrit :\n> Bonjour",
        "El lun, 3 mar 2025 a las 09:12, Switchboard (<support@desk.example.com>) escribió:\n> Hola",
        "Op ma 3 mrt 2025 om 09:12 schreef Switchboard <support@desk.example.com>:\n> Hallo",
        "-----Original Message-----\nFrom: Switchboard\nSent: Monday\n\nHello",
        "----- Ursprüngliche Nachricht -----\nVon: Switchboard\n\nHallo",
        "From: Switchboard <support@desk.example.com>\nSent: Monday, March 3, 2025 9:12 AM\n"
        "To: Jane Doe <jane@customer.example>\nSubject: RE: [SB-10432] Till 3\n\nHello",
        "Von: Switchboard <support@desk.example.com>\nGesendet: Montag, 3. März 2025 09:12\n"
        "An: Jane Doe <jane@customer.example>\nBetreff: AW: [SB-10432] Kasse 3\n\nHallo",
        "De : Switchboard <support@desk.example.com>\nEnvoyé : lundi 3 mars 2025 09:12\n"
        "À : Jane Doe <jane@customer.example>\nObjet : RE: [SB-10432] Caisse 3\n\nBonjour",
        "________________________________\nFrom: Switchboard <support@desk.example.com>\n"
        "Sent: Monday, March 3, 2025 9:12 AM\nTo: Jane\nSubject: Till\n\nHello",
        "> Hello Jane,\n>\n> Could you restart till 3?\n",
        f"{REPLY_MARKER}\n\nHello Jane,",
        f"> {REPLY_MARKER}\n> Hello Jane,",
    ],
)
def test_quoted_mail_is_cut_in_each_mail_programs_style(quote):
    assert strip_reply(f"{REPLY}\n\n{quote}") == REPLY


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nJane Doe\nStore Manager",
        "--\nJane",
        "Sent from my iPhone",
        "Sent from Outlook for Android",
        "Get Outlook for iOS<https://aka.ms/o0ukef>",
        "Von meinem iPhone gesendet",
        "Envoyé de mon iPad",
    ],
)
def test_signatures_are_cut(signature):
    assert strip_reply(f"{REPLY}\n\n{signature}\n") == REPLY


def test_a_mobile_signature_above_an_outlook_quote_goes_too():
    text = (
        f"{REPLY}\n\nGet Outlook for Android\n________________________________\n"
        "From: Switchboard <support@desk.example.com>\nSent: Monday\nTo: Jane\nSubject: x\n\nHi"
    )

    assert strip_reply(text) == REPLY


@pytest.mark.parametrize(
    "text",
    [
        "Just one line.",
        "On second thoughts the old till is fine.\nOn the other hand we wrote:\nthe list.",
        "Answers inline:\n> Does it freeze?\nYes.\n> Which till?\nTill 3, as said.",
        "FYI\n\n---------- Forwarded message ----------\nFrom: Supplier <s@x.example>\n"
        "Date: Sat, 8 Mar 2025\nSubject: Invoice\nTo: jane@x.example\n\nDear customer",
        "Leading spaces stay.\n  indented line",
    ],
)
def test_text_with_nothing_to_strip_comes_back_unchanged(text):
    assert strip_reply(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "On Mon, 3 Mar 2025, Desk <d@x.example> wrote:\n> Hello",
        f"{REPLY_MARKER}\nHello",
        "> only a quote",
        "-- \nonly a signature",
    ],
)
def test_stripping_everything_gives_the_text_back(text):
    assert strip_reply(text) == text


# --- Noise --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def request_mail() -> ParsedEmail:
    return parsed("plain_new.eml")


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"auto-submitted": "no"}, ""),
        ({"auto-submitted": "auto-replied"}, "auto-reply (Auto-Submitted: auto-replied)"),
        (
            {"auto-submitted": "Auto-Generated; x=1"},
            "automatic mail (Auto-Submitted: auto-generated)",
        ),
        ({"x-autoreply": "yes"}, "auto-reply (X-Autoreply)"),
        ({"x-autorespond": "1"}, "auto-reply (X-Autorespond)"),
        ({"precedence": "bulk"}, "bulk mail (Precedence: bulk)"),
        ({"precedence": "Junk"}, "bulk mail (Precedence: junk)"),
        ({"precedence": "list"}, "mailing list (Precedence: list)"),
        ({"precedence": "first-class"}, ""),
        ({"list-id": "<tills.lists.example>"}, "mailing list (List-Id)"),
        ({"list-unsubscribe": "<https://x.example/u>"}, ""),
        ({"x-auto-response-suppress": "All"}, ""),  # Outlook sets it on ordinary mail too
        (
            {"content-type": 'multipart/report; report-type="disposition-notification"; b=1'},
            "read receipt (disposition notification)",
        ),
    ],
)
def test_noise_from_headers(request_mail, headers, reason):
    assert noise_reason(replace(request_mail, headers=headers)) == reason


@pytest.mark.parametrize(
    "subject",
    [
        "Out of Office: Till 3",
        "Out of Office AutoReply: Till 3",
        "Automatic reply: [SB-10432] Till 3",
        "Auto: Till 3",
        "Autoreply: Till 3",
        "Abwesenheitsnotiz: Kasse 3",
        "Automatische Antwort: Kasse 3",
        "Réponse automatique : Caisse 3",
        "Respuesta automática: Caja 3",
        "Fuera de la oficina: Caja 3",
        "Risposta automatica: Cassa 3",
        "Automatisch antwoord: Kassa 3",
        "Autosvar: Kasse 3",
        "Out of office",
    ],
)
def test_auto_reply_subjects_are_noise(request_mail, subject):
    assert noise_reason(replace(request_mail, subject=subject)) == "out-of-office reply"


@pytest.mark.parametrize(
    "subject",
    ["Out of office settings are broken", "Automatic replies not working", "Auto parts order"],
)
def test_requests_about_auto_replies_are_not_noise(request_mail, subject):
    assert noise_reason(replace(request_mail, subject=subject)) == ""


def test_an_oof_suppress_header_with_an_out_of_office_subject_anywhere_is_noise(request_mail):
    email = replace(
        request_mail,
        subject="Re: Till 3 - I am out of office",
        headers={"x-auto-response-suppress": "DR, RN, NRN, OOF, AutoReply"},
    )

    assert noise_reason(email) == "out-of-office reply"


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.example", "postmaster@customer.example"])
def test_mail_from_mail_systems_is_noise(request_mail, sender):
    email = replace(request_mail, from_address=sender.lower())

    assert noise_reason(email) == f"mail from a mail system ({sender.split('@')[0].lower()})"
