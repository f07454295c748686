"""Demo knowledge base: help-centre sections and a few dozen articles of a retail help desk,
plus six weeks of reading, votes, deflections, searches and tickets resolved by documentation.

``configure(demo)`` adds ``demo["sections"]`` (slug → Section); ``populate(demo)`` writes the
articles through the services (so they are rendered, indexed and revised) and then the past
activity straight to the tables, with timestamps in the demo's past.
"""

import contextlib
import random
from datetime import timedelta

from django.utils import timezone

from apps.core.errors import ApplicationError
from apps.tickets.models import Status

from .models import (
    Article,
    ArticleStatus,
    Audience,
    Deflection,
    DeflectionKind,
    Feedback,
    LinkKind,
    SearchLog,
    Section,
    SynonymGroup,
    TicketArticle,
)
from .services import article_create, article_create_from_ticket, article_set_status

SECTIONS = [
    ("accounts", "Accounts & sign-in", "Passwords, two-factor, locked accounts."),
    ("stores", "Tills & card payments", "The store POS, card terminals, receipts."),
    ("network", "Network, Wi-Fi & VPN", "Connecting in stores, at the office and from home."),
    ("email", "E-mail & calendar", "Outlook, shared mailboxes, calendars."),
    ("hardware", "Laptops, printers & scanners", "Devices that misbehave."),
    ("people", "Payroll & HR tools", "Payslips, hours, absences."),
]

# (section, title, summary, body, category, audience, tags)
ARTICLES = [
    (
        "accounts",
        "Reset your password",
        "Forgot your password or it expired? Get a reset link by e-mail in two minutes.",
        "1. Go to the sign-in page and choose **Forgot password**.\n2. Enter your work e-mail address.\n3. Open the e-mail *Reset your password* and follow the link within **15 minutes**.\n4. Choose a new password: at least 12 characters, not one of your last five.\n\n> The link works once. If it expired, start again from step 1.\n\nStill locked out after five tries? Your account is locked for 15 minutes — see [Unlock your account](/help/unlock-your-account/).",
        "Cannot sign in",
        Audience.PUBLIC,
        ["password", "sign-in"],
    ),
    (
        "accounts",
        "Unlock your account",
        "Five wrong passwords lock an account for 15 minutes. Here is how to get back in sooner.",
        "After five failed sign-ins your account locks for **15 minutes** to keep it safe.\n\n- Wait 15 minutes and try again, **or**\n- reset your password (this also unlocks the account).\n\nIf a colleague keeps locking you out (a shared till login, an old phone still syncing mail), remove the old password from that device first.",
        "Cannot sign in",
        Audience.PUBLIC,
        ["password", "locked"],
    ),
    (
        "accounts",
        "Set up two-factor authentication",
        "Install the authenticator app and link it to your account.",
        "1. Install **Microsoft Authenticator** from your phone's app store.\n2. Sign in at the portal and open *Security info*.\n3. Choose **Add method → Authenticator app** and scan the QR code.\n4. Approve the test notification.\n\nKeep at least two methods (app and phone number) so a lost phone does not lock you out.",
        "Cannot sign in",
        Audience.REQUESTERS,
        ["2fa", "mfa", "security"],
    ),
    (
        "accounts",
        "New phone: move two-factor authentication",
        "Changed phones? Move your authenticator before you wipe the old one.",
        "On the **old** phone, open the authenticator and use *Backup*. On the new phone restore it, then sign in once to confirm.\n\nAlready wiped the old phone? Open a request under **Cannot sign in** — we verify who you are and reset your methods.",
        "Cannot sign in",
        Audience.REQUESTERS,
        ["2fa", "phone"],
    ),
    (
        "accounts",
        "Till login PIN not accepted",
        "Store staff: what to do when the till refuses your PIN.",
        "Till PINs are separate from your computer password.\n\n- Make sure **Caps Lock** is off on the keypad (yes, it has one).\n- Your PIN expires every 90 days; the till asks for a new one on the next login.\n- A store manager can reset your PIN in *Back office → Staff → Reset PIN*.",
        "Till or POS error",
        Audience.REQUESTERS,
        ["till", "pin", "pos"],
    ),
    (
        "stores",
        "Till frozen on the payment screen",
        "Restart a frozen till without losing the open sale.",
        "1. Wait 60 seconds: the till may be waiting for the card terminal.\n2. Press **Ctrl + Alt + R** to restart the POS application (not the computer).\n3. The open sale is restored as *Suspended* — recall it with **F6**.\n\nIf the till freezes again within the hour, note the error code and open a request under **Till or POS error**.",
        "Till or POS error",
        Audience.REQUESTERS,
        ["till", "pos", "frozen"],
    ),
    (
        "stores",
        'Card terminal says "No connection"',
        "The payment terminal cannot reach the bank: check these three things.",
        "| Check | What to look for |\n| --- | --- |\n| Cable | The network cable is clicked into the **LAN** port, not **AUX** |\n| Power | The base station shows a **green** light |\n| Pairing | The handset shows the till number it belongs to |\n\nRestart the base station (unplug 10 seconds). Card payments can continue on another till meanwhile.",
        "Card payment declined",
        Audience.REQUESTERS,
        ["payments", "terminal"],
    ),
    (
        "stores",
        "Card declined with code 05",
        "Code 05 means the bank refused the card: nothing is wrong with the till.",
        "**Code 05 — Do not honour** comes from the customer's bank. Ask the customer for another card or payment method.\n\nOnly if *every* card is declined with 05 at your store is it our problem: then open an urgent request under **Card payment declined**.",
        "Card payment declined",
        Audience.PUBLIC,
        ["payments", "declined"],
    ),
    (
        "stores",
        "Reprint a receipt",
        "Find a past sale and print its receipt again.",
        "Press **F9 → Journal**, search by time or amount, select the sale and choose **Reprint**. The copy is marked *DUPLICATE*.",
        "Till or POS error",
        Audience.PUBLIC,
        ["receipt", "pos"],
    ),
    (
        "stores",
        "End-of-day report does not balance",
        "The till count and the system total differ: how to find the gap.",
        "1. Print the **X report** (not the Z report — that closes the day).\n2. Compare card totals with the terminal's own end-of-day slip.\n3. Suspended sales that were never finished count as open: recall them with **F6** and void or complete them.\n\nA difference under €1 is rounding from cash payments; write it in the cash book.",
        "Till or POS error",
        Audience.REQUESTERS,
        ["pos", "reports"],
    ),
    (
        "network",
        "Connect to the VPN from home",
        "Install GlobalConnect and sign in with your work account.",
        "1. Install **GlobalConnect** from the Software Centre.\n2. Portal address: `vpn.example.com`.\n3. Sign in with your work e-mail and approve the two-factor prompt.\n\nThe VPN drops every 12 hours by design; reconnect when asked.",
        "Slow or unstable connection",
        Audience.REQUESTERS,
        ["vpn", "remote"],
    ),
    (
        "network",
        "VPN connects but nothing loads",
        "Connected, yet intranet pages time out: usually DNS.",
        "Open a command prompt and run:\n\n```\nipconfig /flushdns\n```\n\nThen disconnect and reconnect the VPN. On hotel or guest Wi-Fi, sign in to the Wi-Fi's web page first — the VPN cannot connect through it until you do.",
        "Slow or unstable connection",
        Audience.REQUESTERS,
        ["vpn", "dns"],
    ),
    (
        "network",
        "Store Wi-Fi for staff devices",
        "Which network to use in stores, and the password policy.",
        "Staff devices join **STAFF-5G** (password on the back-office board, changed each quarter). **GUEST** is for customers and has no access to store systems.\n\nHandheld scanners use **SCAN-NET** and are set up by us — never change their settings.",
        "Slow or unstable connection",
        Audience.REQUESTERS,
        ["wifi", "stores"],
    ),
    (
        "network",
        "Whole store offline: first checks",
        "Nothing works at a site? Check the router before calling.",
        "1. Is the router's **WAN** light on? If it is red, the line is down: we are alerted automatically.\n2. Restart the router (power off 30 seconds).\n3. Tills keep taking card payments offline for up to 4 hours — do not restart them.\n\nOpen an **urgent** request under **Network outage** with your store number.",
        "Network outage",
        Audience.REQUESTERS,
        ["outage", "router"],
    ),
    (
        "network",
        "Router replacement runbook",
        "For network agents: swapping a failed store router.",
        "1. Check the spare's firmware matches `rtr-std-2024.3`.\n2. Export the config from the controller: *Sites → Store → Config → Export*.\n3. Ship with overnight courier; store staff only swap cables 1 to 4 as labelled.\n4. Confirm the tunnel is **UP** in the controller before closing.",
        "Network outage",
        Audience.TEAM,
        ["runbook", "router"],
    ),
    (
        "email",
        "Outlook keeps asking for your password",
        "A password prompt every few minutes is almost always a stale saved password.",
        "1. Close Outlook.\n2. Open **Credential Manager → Windows Credentials**.\n3. Remove every entry starting with `MicrosoftOffice`.\n4. Start Outlook and sign in once.\n\nChanged your password recently? Your phone may still use the old one — update it there too.",
        "E-mail problem",
        Audience.PUBLIC,
        ["outlook", "password"],
    ),
    (
        "email",
        "Mailbox full",
        "Free space quickly and turn on the online archive.",
        "- Empty **Deleted Items** and **Junk**.\n- Search `size:>5MB` and delete or save large attachments to OneDrive.\n- Right-click your mailbox → **Online archive** to move mail older than a year automatically.\n\nMailboxes hold 50 GB; the archive is unlimited.",
        "E-mail problem",
        Audience.PUBLIC,
        ["outlook", "mailbox"],
    ),
    (
        "email",
        "Open a shared mailbox",
        "Access to a shared mailbox appears in Outlook by itself within an hour.",
        "Once access is granted, restart Outlook — the shared mailbox appears in the left pane within an hour. On the web, click your picture → **Open another mailbox**.\n\nNo access yet? Ask for it with a request under **Access request**, naming the mailbox and your manager.",
        "Access request",
        Audience.REQUESTERS,
        ["shared-mailbox", "access"],
    ),
    (
        "email",
        "E-mails from customers land in Junk",
        "Mark a sender as safe so their mail arrives in the inbox.",
        "Right-click the message → **Junk → Never block sender**. For a whole company use **Never block sender's domain**.",
        "E-mail problem",
        Audience.PUBLIC,
        ["junk", "outlook"],
    ),
    (
        "hardware",
        "Printer shows offline",
        "Bring a network printer back online in Windows.",
        "1. Check the printer's screen for paper jams or an error.\n2. In Windows open **Printers & scanners**, select the printer → **Open queue** → *Printer* menu → untick **Use printer offline**.\n3. Still offline? Remove the printer and add it again from `\\\\print01`.",
        "Hardware fault",
        Audience.PUBLIC,
        ["printer"],
    ),
    (
        "hardware",
        "Handheld scanner does not scan",
        "Barcode scanner beeps but nothing appears, or does not beep at all.",
        "- Does not beep: charge it for 20 minutes in the cradle.\n- Beeps but nothing appears: scan the **Reset to store defaults** barcode on the cradle's sticker.\n- Cracked window or dropped in water: open a request under **Hardware fault** for a swap.",
        "Hardware fault",
        Audience.REQUESTERS,
        ["scanner"],
    ),
    (
        "hardware",
        "Laptop will not start",
        "Black screen, no lights: try these before asking for a swap.",
        "1. Plug in the **original** charger and wait 10 minutes.\n2. Hold the power button for **30 seconds**, release, then press once.\n3. Lights but black screen: press **Win + Ctrl + Shift + B**.\n\nStill dead? We swap laptops next working day; your files are safe in OneDrive.",
        "Hardware fault",
        Audience.PUBLIC,
        ["laptop"],
    ),
    (
        "hardware",
        "Second screen not detected",
        "Docking station or cable: make Windows see the external monitor.",
        "Press **Win + P** and choose *Extend*. If nothing happens, unplug the dock's power for 10 seconds. Use the dock's DisplayPort, not the laptop's HDMI, for screens above 1080p.",
        "Hardware fault",
        Audience.PUBLIC,
        ["screen", "dock"],
    ),
    (
        "people",
        "Your payslip looks wrong",
        "Check these common causes before raising a payroll query.",
        "- **Overtime** is paid the month *after* it is approved.\n- A **bonus** shows as a separate line, taxed at the bonus rate.\n- Hours from the last 3 days of the month move to next month's run.\n\nStill wrong? Open a request under **Payroll discrepancy** with the payslip month — never e-mail payslips.",
        "Payroll discrepancy",
        Audience.REQUESTERS,
        ["payroll", "payslip"],
    ),
    (
        "people",
        "Record hours worked",
        "Clock in and out, and correct a missed punch.",
        "Use the **Hours** app on the store tablet or your phone. Missed a punch? Tap the day → **Request correction**; your manager approves it before the payroll cut-off (the 25th).",
        "Payroll discrepancy",
        Audience.REQUESTERS,
        ["hours", "payroll"],
    ),
    (
        "people",
        "Payroll cut-off and correction runbook",
        "For agents: what payroll can still fix in this month's run.",
        "Corrections received **before the 25th, 12:00** go into this month's run. After that, log them as *retro* in the payroll tool; they are paid next month. Never promise an off-cycle payment: only the payroll manager can approve one.",
        "Payroll discrepancy",
        Audience.AGENTS,
        ["payroll", "runbook"],
    ),
    (
        "accounts",
        "Request access to a system or folder",
        "How to ask for access so it is approved the same day.",
        "Open a request under **Access request** and say:\n\n1. the system or folder (the full path for folders),\n2. read or write,\n3. who approves it (usually your manager).\n\nRequests with an approver named are usually done the same day.",
        "Access request",
        Audience.REQUESTERS,
        ["access"],
    ),
    (
        "stores",
        "Price on the shelf differs from the till",
        "Which price is right, and how to get the master data fixed.",
        "The **till price is the system price**. Sell at the lower of the two (store policy) and open a request under **Data correction** with the barcode, both prices and a photo of the shelf label.",
        "Data correction",
        Audience.REQUESTERS,
        ["prices", "master-data"],
    ),
    (
        "hardware",
        "Install software from the Software Centre",
        "Most applications install themselves without an administrator.",
        "Open **Software Centre** from the Start menu, find the application and click **Install**. Not listed? Ask for it under **Software request** with the business reason.",
        "Software request",
        Audience.PUBLIC,
        ["software"],
    ),
    (
        "email",
        "Share your calendar",
        "Let a colleague see or manage your calendar.",
        "In Outlook: **Calendar → Share calendar**, pick the person and choose *Can view when I'm busy*, *Can view all details* or *Can edit*. Delegates can also accept meetings for you.",
        "E-mail problem",
        Audience.PUBLIC,
        ["calendar"],
    ),
]

RELATED = [
    ("Reset your password", "Unlock your account"),
    ("Set up two-factor authentication", "New phone: move two-factor authentication"),
    ("Connect to the VPN from home", "VPN connects but nothing loads"),
    ("Till frozen on the payment screen", 'Card terminal says "No connection"'),
    ("Outlook keeps asking for your password", "Reset your password"),
    ("Your payslip looks wrong", "Record hours worked"),
    ("Printer shows offline", "Handheld scanner does not scan"),
]

EMPTY_SEARCHES = [
    "parking badge",
    "expense report",
    "holiday request",
    "printer toner order",
    "teams meeting recording",
    "locker key",
    "uniform order",
    "parking badge",
    "expense report",
    "new starter laptop",
]


# The retail desk's own words, beside the synonyms every desk starts with (migration 0007).
SYNONYMS = [("till, register, pos, checkout", "What stores call the cash desk.")]


def configure(demo: dict) -> None:
    demo["sections"] = {
        slug: Section.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": n}
        )[0]
        for n, (slug, name, description) in enumerate(SECTIONS)
    }
    for terms, note in SYNONYMS:
        SynonymGroup.objects.get_or_create(terms=terms, defaults={"note": note})


def populate(demo: dict) -> None:
    rng = random.Random(808)
    people = demo["people"]
    lead, writers = people["lead"], [people["agent_t1"], people["agent_t2"], people["lead"]]
    categories = demo.get("categories", {})
    network_team = demo["teams"].get("networks")
    articles = {}
    # A one-team article is written and published by that team's people.
    network_writer = people.get("network_t1")
    network_lead = people.get("network_t2")
    for section, title, summary, body, category, audience, tags in ARTICLES:
        team = network_team if audience == Audience.TEAM and network_writer else None
        article = article_create(
            author=network_writer if team else rng.choice(writers),
            title=title,
            summary=summary,
            body=body,
            audience=audience if team or audience != Audience.TEAM else Audience.AGENTS,
            section=demo["sections"][section],
            team=team,
            tags=tags,
            categories=[categories[category].pk] if category in categories else [],
        )
        articles[title] = article_set_status(
            article=article,
            actor=network_lead if team and network_lead else lead,
            status=ArticleStatus.PUBLISHED,
        )
    for a, b in RELATED:
        articles[a].related.add(articles[b])
    _drafts(demo, articles, lead)
    _history(demo, rng, list(articles.values()))
    demo["stdout"].write(
        f"  knowledge: {Article.objects.count()} articles, "
        f"{Deflection.objects.count()} deflections, "
        f"{TicketArticle.objects.filter(resolved_at__isnull=False).count()} tickets resolved "
        "by documentation"
    )


def _drafts(demo, articles, lead):
    """One article waiting for review, one draft harvested from a solved ticket."""
    review = article_create(
        author=demo["people"]["agent_t1"],
        title="Receipt printer prints blank receipts",
        summary="The paper roll is in upside down.",
        body="Thermal paper prints on one side only. Open the cover and turn the roll so the "
        "paper comes off the **bottom** towards you.",
        section=demo["sections"]["stores"],
    )
    article_set_status(article=review, actor=review.author, status=ArticleStatus.REVIEW)
    solved = [t for t in demo.get("tickets", []) if t.status in (Status.RESOLVED, Status.CLOSED)]
    if solved:
        ticket = solved[-1]
        agent = ticket.assignee if ticket.assignee and ticket.assignee.is_agent else lead
        # If the demo agent is not on the ticket's team there is simply no harvested draft.
        with contextlib.suppress(ApplicationError):
            article_create_from_ticket(ticket=ticket, author=agent)


def _history(demo, rng, articles):
    """Six weeks of readers: views, votes, deflections, empty searches, and resolved tickets
    that an agent answered with an article."""
    now = timezone.now()
    published = [a for a in articles if a.audience in (Audience.PUBLIC, Audience.REQUESTERS)]
    requesters = demo.get("requesters") or [None]
    feedback, deflections = [], []
    for n, article in enumerate(published):
        popularity = max(1, len(published) - n)
        Article.objects.filter(pk=article.pk).update(view_count=popularity * rng.randint(8, 20))
        for v in range(rng.randint(1, popularity // 2 + 2)):
            feedback.append(
                Feedback(
                    article=article,
                    helpful=rng.random() < 0.8,
                    comment=rng.choice(["", "", "Clear, thanks.", "A screenshot would help."]),
                    session_key=f"demo-fb-{article.pk}-{v}",
                    created_at=now - timedelta(days=rng.randint(0, 41)),
                )
            )
        for d in range(rng.randint(0, popularity // 2 + 1)):
            # More deflections in recent weeks: the knowledge base at work.
            days_ago = int(rng.triangular(0, 42, 0))
            deflections.append(
                Deflection(
                    article=article,
                    kind=rng.choice([DeflectionKind.SOLVED, DeflectionKind.VIEWED]),
                    query=article.title.lower()[:40],
                    user=rng.choice(requesters),
                    session_key=f"demo-df-{article.pk}-{d}",
                    created_at=now - timedelta(days=days_ago, hours=rng.randint(0, 8)),
                )
            )
    Feedback.objects.bulk_create(feedback)
    Deflection.objects.bulk_create(deflections)
    SearchLog.objects.bulk_create(
        SearchLog(
            query=q, results=0, source="portal", created_at=now - timedelta(days=rng.randint(0, 20))
        )
        for q in EMPTY_SEARCHES
    )
    _resolved_with_articles(demo, rng, published)


def _resolved_with_articles(demo, rng, published):
    by_category = {}
    for article in published:
        for category_id in article.categories.values_list("pk", flat=True):
            by_category.setdefault(category_id, []).append(article)
    links = []
    for ticket in demo.get("tickets", []):
        candidates = by_category.get(ticket.category_id)
        if ticket.resolved_at and candidates and rng.random() < 0.35:
            links.append(
                TicketArticle(
                    ticket=ticket,
                    article=rng.choice(candidates),
                    kind=LinkKind.SENT,
                    linked_by=ticket.assignee,
                    created_at=ticket.resolved_at - timedelta(minutes=rng.randint(5, 90)),
                    resolved_at=ticket.resolved_at,
                )
            )
    TicketArticle.objects.bulk_create(links, ignore_conflicts=True)
