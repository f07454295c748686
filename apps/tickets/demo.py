"""Demo lookups and a few hundred tickets with their conversations, spread over the last weeks.

``configure(demo)`` adds ``demo["categories"]``, ``demo["locations"]`` and ``demo["products"]``
(name → object). ``populate(demo)`` opens every ticket through the services, each step at its
own moment in the past, so routing, SLA and mail react as they would have; the tickets are in
``demo["tickets"]``.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from apps.core.errors import ApplicationError

from .assisted import ticket_create_for_caller
from .merge import ticket_merge
from .models import Category, Channel, CustomField, Location, Priority, Product, Status, Ticket
from .services import comment_add, ticket_create, ticket_take, ticket_update
from .tiers import demo as tiers_demo

TICKET_COUNT = 420
DAYS_BACK = 150

CATEGORIES = {
    "Cannot sign in": "Locked out, password expired, two-factor not working.",
    "Till or POS error": "A till freezes, refuses a sale or shows an error.",
    "Card payment declined": "Card terminals refusing cards or not answering.",
    "Network outage": "No connection at all at a site.",
    "Slow or unstable connection": "Everything works, slowly or not always.",
    "Payroll discrepancy": "A payslip is wrong: hours, bonus, deductions.",
    "E-mail problem": "Mail not arriving, mailbox full, shared mailbox access.",
    "Hardware fault": "A broken laptop, scanner, screen or printer.",
    "Access request": "Access to a system, folder or shared mailbox.",
    "Data correction": "Wrong prices, stock or master data to fix.",
    "Software request": "Install or upgrade an application.",
}

LOCATIONS = [
    "Head office Paris",
    "Store 112 Lyon",
    "Store 204 Lille",
    "Store 087 Nantes",
    "Store 301 Bordeaux",
    "Distribution centre Orléans",
    "Remote / home office",
]

PRODUCTS = [
    "Store POS",
    "Card payments",
    "Payroll",
    "VPN",
    "E-mail",
    "Wi-Fi",
    "Laptop",
    "Printer",
    "Inventory app",
    "Intranet",
]


@dataclass(frozen=True)
class Scenario:
    subject: str
    description: str
    category: str
    product: str
    team: str  # the team a person in triage sends it to
    reply: str
    resolution: str
    note: str = ""
    question: str = ""  # asked while the ticket waits on the requester
    answer: str = ""
    escalate_to: str = ""  # a third-line team, with the note explaining why
    priority: int = Priority.NORMAL
    tags: tuple[str, ...] = ()
    weight: int = 3


SCENARIOS = [
    Scenario(
        "Till {till} freezes when scanning loyalty cards",
        "At {site}, till {till} freezes for about a minute every time a customer scans a loyalty "
        "card. The queue builds up quickly at lunchtime. Restarting the till helps for an hour.",
        "Till or POS error",
        "Store POS",
        "service-desk",
        "Thanks for the details. I've pushed the latest POS patch to till {till}; can you restart "
        "it once more and tell me if a loyalty scan still freezes it?",
        "The patch fixed the loyalty lookup timeout. Closing this, but reply here if it comes back.",
        note="Same symptom as last month's loyalty service timeout; patch 4.12.3 has the fix.",
        question="Does it happen with every loyalty card or only the new plastic ones?",
        answer="Only the new ones with the blue stripe, the old cards scan fine.",
        priority=Priority.HIGH,
        tags=("pos", "loyalty"),
        weight=6,
    ),
    Scenario(
        "Card terminal declines every contactless payment",
        "Since opening at {site} the card terminal at till {till} declines all contactless "
        "payments with 'Transaction refused 05'. Chip and PIN works.",
        "Card payment declined",
        "Card payments",
        "service-desk",
        "I can see the declines on our side. Please use chip and PIN for now; I'm checking the "
        "terminal configuration.",
        "The contactless limit was reset to 0 by the last configuration push. Payments "
        "Engineering corrected it; contactless works again.",
        note="Terminal config looks right from here, declines come back from the acquirer.",
        escalate_to="payments-engineering",
        priority=Priority.URGENT,
        tags=("payments",),
        weight=5,
    ),
    Scenario(
        "Card payments fail intermittently at {site}",
        "About one card payment in ten fails with 'host unreachable' and succeeds on the second "
        "try. Customers are getting annoyed.",
        "Card payment declined",
        "Card payments",
        "service-desk",
        "Thanks, we're looking at the payment gateway logs for your store.",
        "A certificate on the payment gateway was expiring on one node. It has been renewed and "
        "the failure rate is back to zero.",
        note="Failures all go through gw-node-3, escalating to Payments Engineering.",
        escalate_to="payments-engineering",
        priority=Priority.HIGH,
        tags=("payments", "gateway"),
        weight=3,
    ),
    Scenario(
        "No network at {site}",
        "Nothing works at {site}: tills offline, no Wi-Fi, the back-office PC cannot reach "
        "anything. The router lights are orange.",
        "Network outage",
        "Wi-Fi",
        "networks",
        "We can see the site is down. The provider has opened an incident; tills will work "
        "offline for cash in the meantime.",
        "The provider replaced a faulty line card at the exchange. The site is back online.",
        note="Provider incident INC-{n}. Backup 4G link did not take over: check the failover.",
        priority=Priority.URGENT,
        tags=("outage",),
        weight=3,
    ),
    Scenario(
        "VPN disconnects every few minutes",
        "Working from home today; the VPN drops every 5 to 10 minutes and I lose my session in the "
        "inventory app each time.",
        "Slow or unstable connection",
        "VPN",
        "networks",
        "Could you update the VPN client to 7.2 from the software centre? Older clients drop "
        "when the home router changes the connection.",
        "Updating the VPN client fixed the disconnections.",
        question="Which version of the VPN client do you have (Help → About)?",
        answer="It says 6.9.1.",
        tags=("vpn",),
        weight=5,
    ),
    Scenario(
        "Wi-Fi very slow in the stock room",
        "At {site} the handheld scanners keep losing the Wi-Fi in the stock room, which makes "
        "stock counts take twice as long.",
        "Slow or unstable connection",
        "Wi-Fi",
        "networks",
        "Thanks. I've scheduled a site survey; in the meantime I've moved the scanners to the "
        "5 GHz network which should be steadier.",
        "An extra access point was installed in the stock room; scanners hold the connection.",
        weight=3,
    ),
    Scenario(
        "Locked out of my account",
        "I typed my password wrong a few times and now Windows says my account is locked. I "
        "need to open the store at 8.",
        "Cannot sign in",
        "Laptop",
        "service-desk",
        "I've unlocked your account. You'll be asked to choose a new password at next sign-in.",
        "Account unlocked and password changed.",
        priority=Priority.HIGH,
        tags=("account",),
        weight=7,
    ),
    Scenario(
        "Password expired and reset link does not arrive",
        "My password expired and the self-service reset e-mail never arrives.",
        "Cannot sign in",
        "E-mail",
        "service-desk",
        "The reset e-mails go to your personal address, which we don't have on file. I've sent "
        "you a temporary password by text message.",
        "Signed in with the temporary password and set a new one.",
        note="Added the personal e-mail to the directory so self-service works next time.",
        tags=("account",),
        weight=4,
    ),
    Scenario(
        "Overtime missing from last payslip",
        "My payslip for last month is missing the {hours} hours of overtime I worked during "
        "inventory. My manager approved them in the time sheet.",
        "Payroll discrepancy",
        "Payroll",
        "service-desk",
        "Thanks, I've asked payroll to check the time sheet export for your store.",
        "The overtime was paid as a correction with this month's salary.",
        note="Time sheet export skipped approvals made after the 25th. Raising with the payroll "
        "integration team.",
        escalate_to="payments-engineering",
        question="Can you send a screenshot of the approved time sheet?",
        answer="Attached to my reply in the e-mail, hope it came through.",
        tags=("payroll",),
        weight=4,
    ),
    Scenario(
        "Payslip shows the wrong tax code",
        "My payslip uses the default tax code instead of the rate I gave HR in January.",
        "Payroll discrepancy",
        "Payroll",
        "service-desk",
        "I've forwarded the correct rate to payroll; it will be applied on the next run.",
        "Tax code corrected; the difference was refunded.",
        tags=("payroll",),
        weight=2,
    ),
    Scenario(
        "Shared mailbox for {site} not visible in Outlook",
        "I'm the new manager at {site} and I can't see the store's shared mailbox in Outlook.",
        "Access request",
        "E-mail",
        "service-desk",
        "I've given you full access to the store mailbox; it will appear in Outlook within an "
        "hour (restart Outlook if it doesn't).",
        "Mailbox visible and working.",
        weight=4,
    ),
    Scenario(
        "E-mails to a supplier bounce",
        "Every e-mail I send to our packaging supplier bounces with '550 rejected by policy'.",
        "E-mail problem",
        "E-mail",
        "service-desk",
        "The supplier's server started rejecting our domain after a DNS change on our side. "
        "We're correcting the SPF record.",
        "SPF record fixed; mails to the supplier are delivered.",
        note="SPF missing the new mail relay. Change request CR-{n}.",
        weight=3,
    ),
    Scenario(
        "Mailbox full, cannot send",
        "Outlook says my mailbox is full and I can't send anything.",
        "E-mail problem",
        "E-mail",
        "service-desk",
        "I've turned on the online archive for you: mail older than a year moves there tonight.",
        "Archive enabled, mailbox at 40 %.",
        priority=Priority.LOW,
        weight=3,
    ),
    Scenario(
        "Laptop will not start after update",
        "My laptop shows a black screen with a spinning circle since last night's update.",
        "Hardware fault",
        "Laptop",
        "service-desk",
        "Please bring it to the IT desk or we'll send a courier; you'll get a loan laptop today.",
        "Disk replaced and laptop reimaged. Your files were restored from the backup.",
        question="Are you at {site} today, or working from home?",
        answer="At home, a courier would be great.",
        weight=3,
    ),
    Scenario(
        "Receipt printer prints blank tickets",
        "The receipt printer on till {till} feeds paper but prints nothing.",
        "Hardware fault",
        "Printer",
        "service-desk",
        "That is usually thermal paper loaded upside down. Could you turn the roll around?",
        "Paper was the wrong way round. Printing again.",
        priority=Priority.HIGH,
        tags=("pos",),
        weight=3,
    ),
    Scenario(
        "Prices on shelf labels differ from the till",
        "At {site} the new promotion prices show on the shelf labels but the till still charges "
        "the old price for {count} items.",
        "Data correction",
        "Inventory app",
        "service-desk",
        "I can see the promotion was only published to the label system. Republishing it to "
        "the tills now.",
        "Promotion republished; the tills charge the promotion price.",
        note="The promotion had no store list for the POS channel: master data to fix.",
        priority=Priority.HIGH,
        tags=("pricing",),
        weight=4,
    ),
    Scenario(
        "Stock count wrong after transfer",
        "We transferred {count} cases to Store 204 but our stock still shows them.",
        "Data correction",
        "Inventory app",
        "service-desk",
        "Thanks, the transfer is stuck in the interface queue. I'm asking the data owner to "
        "correct the stock.",
        "Stock corrected and the stuck transfer released.",
        weight=3,
    ),
    Scenario(
        "Install Power BI Desktop",
        "I need Power BI Desktop to open the weekly sales report.",
        "Software request",
        "Laptop",
        "service-desk",
        "Approved by your manager; it's available in the software centre now.",
        "Installed from the software centre.",
        priority=Priority.LOW,
        weight=3,
    ),
    Scenario(
        "Access to the intranet news editor",
        "I'm joining the communications team and need to publish on the intranet.",
        "Access request",
        "Intranet",
        "service-desk",
        "Added you to the intranet editors group; sign out and in again to see the Edit button.",
        "Access granted.",
        priority=Priority.LOW,
        weight=2,
    ),
]


def configure(demo: dict) -> None:
    demo["categories"] = {
        name: Category.objects.create(name=name, description=text)
        for name, text in CATEGORIES.items()
    }
    demo["locations"] = {name: Location.objects.create(name=name) for name in LOCATIONS}
    demo["products"] = {name: Product.objects.create(name=name) for name in PRODUCTS}
    _custom_fields(demo)
    tiers_demo.configure(demo)


def _custom_fields(demo: dict) -> None:
    """What the stores are asked besides the usual: the till, and an order's id."""
    till = CustomField.objects.create(
        label="Till number", key="till", kind="number", help_text="On the sticker under the screen."
    )
    till.categories.set(
        [demo["categories"]["Till or POS error"], demo["categories"]["Card payment declined"]]
    )
    order = CustomField.objects.create(
        label="Order id", key="order_id", help_text="As printed on the delivery note, e.g. A-1042."
    )
    order.categories.set([demo["categories"]["Data correction"]])


def populate(demo: dict) -> None:
    rng = random.Random(1042)
    now = timezone.now().replace(second=0, microsecond=0)
    weights = [s.weight for s in SCENARIOS]
    story = _Story(demo, rng, now)
    demo["tickets"] = [
        story.tell(rng.choices(SCENARIOS, weights)[0], _opened_at(rng, now))
        for _ in range(TICKET_COUNT)
    ]
    demo["stdout"].write(
        f"  tickets: {len(demo['tickets'])} over the last {DAYS_BACK} days, "
        f"{Ticket.objects.filter(status__in=[Status.RESOLVED, Status.CLOSED]).count()} done"
    )
    tiers_demo.populate(demo)
    _phone_call(demo, now)
    _duplicates(demo, now)


def _phone_call(demo: dict, now: datetime) -> None:
    """The store manager rang the desk this morning; agent1 logged the call for him."""
    import time_machine

    people = demo["people"]
    with time_machine.travel(now - timedelta(minutes=40), tick=False):
        ticket_create_for_caller(
            agent=people["agent_t1"],
            requester_email=people["store_manager"].email,
            channel=Channel.PHONE,
            subject="Back-office PC in Lille will not print delivery notes",
            description=(
                "Kenji Sato called: since this morning the back-office PC at Store 204 Lille "
                "sends delivery notes to the printer but nothing comes out. The till printers work."
            ),
            category=demo["categories"]["Hardware fault"],
            location=demo["locations"]["Store 204 Lille"],
        )


def _duplicates(demo: dict, now: datetime) -> None:
    """The cashier wrote twice about one label printer, once on the web and once by e-mail;
    the lead merged the second into the first, so one agent answers her once."""
    import time_machine

    people = demo["people"]
    fields = {
        "category": demo["categories"]["Hardware fault"],
        "location": demo["locations"]["Store 087 Nantes"],
    }
    with time_machine.travel(now - timedelta(hours=3), tick=False):
        first = ticket_create(
            requester=people["cashier"],
            subject="Label printer at the fresh counter prints half labels",
            description="Since this morning every label comes out cut in the middle.",
            **fields,
        )
    with time_machine.travel(now - timedelta(hours=2), tick=False):
        again = ticket_create(
            requester=people["cashier"],
            subject="Fresh counter label printer cuts labels in half",
            description="Writing again by e-mail: the printer still cuts every label in two.",
            channel=Channel.EMAIL,
            **fields,
        )
    with time_machine.travel(now - timedelta(hours=1), tick=False):
        ticket_merge(source=again, target=first, actor=people["lead"])
    demo["stdout"].write(f"  duplicates: {again.reference} merged into {first.reference}")


def _opened_at(rng: random.Random, now: datetime) -> datetime:
    """A moment in working hours; weekly volume peaks a month ago and falls since (the
    knowledge base at work)."""
    days_ago = min(int(rng.triangular(0, DAYS_BACK, DAYS_BACK * 0.6)), DAYS_BACK)
    day = now - timedelta(days=days_ago)
    if day.weekday() >= 5 and rng.random() < 0.7:
        day -= timedelta(days=day.weekday() - 4)  # most weekend tickets wait for Friday
    moment = day.replace(hour=rng.randint(7, 18), minute=rng.randint(0, 59))
    return min(moment, now - timedelta(minutes=rng.randint(5, 240)))


class _Story:
    """Plays one scenario as the people involved would have, each step at its own moment."""

    def __init__(self, demo: dict, rng: random.Random, now: datetime):
        self.demo, self.rng, self.now = demo, rng, now
        self.minutes = random.Random(2046)
        self.people = demo["people"]
        self.seats = demo["agents"]
        self.triage = demo["teams"]["triage"]
        self.slug_of = {team.pk: slug for slug, team in demo["teams"].items()}

    def tell(self, scenario: Scenario, opened: datetime) -> Ticket:
        self.clock = opened
        requester = self.rng.choice(self.demo["requesters"])
        text = self._fill(scenario, requester)
        import time_machine  # a development dependency, like the demo itself

        traveller = time_machine.travel(opened, tick=False)
        self.coordinates = traveller.start()
        try:
            ticket = ticket_create(
                requester=requester,
                subject=text(scenario.subject),
                description=text(scenario.description),
                channel=self.rng.choices([Channel.WEB, Channel.EMAIL, Channel.API], [7, 2, 1])[0],
                category=self.demo["categories"][scenario.category],
                location=self.demo["locations"].get(requester.site)
                or self.demo["locations"]["Remote / home office"],
                product=self.demo["products"][scenario.product],
                priority=min(scenario.priority + requester.is_vip, Priority.URGENT),
            )
            self._work(ticket, scenario, text)
        except _OutOfTime:
            pass  # the story stops at "now": the ticket is still being worked
        except ApplicationError:
            pass  # a feature app refused a step (a blocking subtask): leave it there
        finally:
            traveller.stop()
        return ticket

    def _work(self, ticket: Ticket, scenario: Scenario, text) -> None:
        age_days = (self.now - ticket.created_at).days
        if ticket.team_id in (None, self.triage.pk):
            if age_days == 0 and self.rng.random() < 0.3:
                return  # still waiting in triage
            self._step(minutes=(5, 90))
            triager = self.rng.choice([m for m, _ in self.seats["triage"]])
            ticket_update(
                ticket=ticket,
                actor=triager,
                data={"team": self.demo["teams"][scenario.team], "tags": list(scenario.tags)},
            )
        agent = self._agent(ticket)
        if agent is None or (age_days == 0 and self.rng.random() < 0.25):
            return  # new, nobody picked it up yet
        self._step(minutes=(10, 240))
        ticket_take(ticket=ticket, agent=agent)
        comment_add(ticket=ticket, author=agent, body=text(scenario.reply), time_spent=self._took())
        if scenario.note and self.rng.random() < 0.6:
            self._step(minutes=(5, 60))
            comment_add(
                ticket=ticket,
                author=agent,
                body=text(scenario.note),
                internal=True,
                time_spent=self._took(),
            )
        if scenario.question and self.rng.random() < 0.5:
            self._ask(ticket, agent, scenario, text)
        if scenario.escalate_to and self.rng.random() < 0.7:
            agent = self._escalate(ticket, agent, scenario) or agent
        self._finish(ticket, agent, scenario, text, age_days)

    def _took(self) -> int:
        """Minutes an agent logs on a message: its own generator, so the stories stay the same."""
        return self.minutes.choice((5, 10, 10, 15, 20, 25, 30, 45, 60, 90))

    def _ask(self, ticket, agent, scenario, text) -> None:
        self._step(minutes=(10, 120))
        comment_add(
            ticket=ticket, author=agent, body=text(scenario.question), time_spent=self._took()
        )
        ticket_update(ticket=ticket, actor=agent, data={"status": Status.PENDING})
        if self.rng.random() < 0.15:
            raise _OutOfTime  # still waiting on the requester
        self._step(minutes=(30, 60 * 20))
        comment_add(ticket=ticket, author=ticket.requester, body=text(scenario.answer))

    def _escalate(self, ticket, agent, scenario) -> object:
        self._step(minutes=(30, 300))
        team = self.demo["teams"][scenario.escalate_to]
        comment_add(
            ticket=ticket,
            author=agent,
            internal=True,
            body=f"Escalating to {team.name}: first-line checks done, see the notes above.",
            time_spent=self._took(),
        )
        ticket_update(
            ticket=ticket,
            actor=agent,
            data={"team": team, "tier": 3, "assignee": None},
            allow_tier=True,
        )
        developer = self._agent(ticket)
        if developer is None:
            return None
        self._step(minutes=(30, 60 * 6))
        ticket_take(ticket=ticket, agent=developer)
        return developer

    def _finish(self, ticket, agent, scenario, text, age_days: int) -> None:
        if age_days < 1 or self.rng.random() > min(0.95, 0.35 + age_days * 0.12):
            return  # still open
        self._step(minutes=(60, 60 * 24 * min(age_days, 4)))
        comment_add(
            ticket=ticket, author=agent, body=text(scenario.resolution), time_spent=self._took()
        )
        ticket_update(ticket=ticket, actor=agent, data={"status": Status.RESOLVED})
        if age_days > 7 and self.rng.random() < 0.7:
            self._step(minutes=(60 * 24 * 3, 60 * 24 * 4))
            ticket_update(ticket=ticket, actor=None, data={"status": Status.CLOSED})

    def _agent(self, ticket: Ticket):
        """The team's agent at the ticket's tier (or the closest tier above)."""
        seats = self.seats.get(self.slug_of.get(ticket.team_id), [])
        eligible = [u for u, tier in seats if tier >= ticket.tier] or [u for u, _ in seats]
        return self.rng.choice(eligible) if eligible else None

    def _step(self, *, minutes: tuple[int, int]) -> None:
        """Move the story's clock on; past "now" the rest has not happened yet."""
        self.clock += timedelta(minutes=self.rng.randint(*minutes))
        if self.clock >= self.now:
            raise _OutOfTime
        self.coordinates.move_to(self.clock)

    def _fill(self, scenario: Scenario, requester):
        values = {
            "site": requester.site or "head office",
            "till": self.rng.randint(1, 8),
            "n": self.rng.randint(10000, 99999),
            "hours": self.rng.choice([6, 8, 11.5, 14]),
            "count": self.rng.randint(3, 40),
        }
        return lambda template: template.format(**values)


class _OutOfTime(Exception):
    pass
