"""Demo people and teams: a small retail company's support desk, with a login for every role.

``configure(demo)`` fills the shared ``demo`` dict for the apps that seed after accounts:

- ``demo["teams"]``: slug → Team (``service-desk``, ``networks``, ``payments-engineering``,
  ``triage``).
- ``demo["people"]``: key → User (``admin``, ``lead``, ``agent_t1``, ``agent_t1b``, ``agent_t2``,
  ``network_t1``, ``network_t2``, ``developer``, ``developer_b``, ``requester``, ``vip``, …).
- ``demo["agents"]``: team slug → list of (User, tier) seats.
- ``demo["requesters"]``: the people who open tickets.
- ``demo["collaborators"]``: ``operations``, ``tester``, ``data_owner``, ``manager`` → User
  (plain users with no team seat; some have no password and sign in with a link).
- ``demo["password"]``: the password every demo login uses.
- ``demo["started_at"]``: when the seed started; what happened before it is the demo's past.
"""

from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from .models import Membership, Organisation, Team, User

PASSWORD = "demo1234"
DOMAIN = "example.com"

TEAMS = [
    ("triage", "Triage", "Tickets no routing rule claims wait here for a person to place them."),
    ("service-desk", "Service Desk", "First and second line for stores, offices and staff."),
    ("networks", "Networks", "Store and office connectivity, Wi-Fi, VPN and firewalls."),
    (
        "payments-engineering",
        "Payments Engineering",
        "Developers of the card payment, POS and payroll integrations (third line).",
    ),
]

# What an hour of each team's work costs (EUR): insights price the time people log with it.
HOURLY_COST = {
    "triage": Decimal("45"),
    "service-desk": Decimal("45"),
    "networks": Decimal("60"),
    "payments-engineering": Decimal("85"),
}

# key, e-mail, full name, login role, [(team slug, tier, is lead)]
AGENTS = [
    ("lead", "lead", "Lena Fischer", "team lead", [("service-desk", 2, True), ("triage", 2, True)]),
    ("agent_t1", "agent1", "Tariq Haddad", "agent tier 1", [("service-desk", 1, False), ("triage", 1, False)]),
    ("agent_t1b", "agent1b", "Mia Novak", "agent tier 1", [("service-desk", 1, False)]),
    ("agent_t2", "agent2", "Sofia Marin", "agent tier 2", [("service-desk", 2, False)]),
    ("network_t1", "network1", "Ines Duarte", "agent tier 1 (Networks)", [("networks", 1, False)]),
    ("network_t2", "network2", "Noah Becker", "lead (Networks)", [("networks", 2, True)]),
    ("developer", "developer", "Priya Raman", "developer tier 3", [("payments-engineering", 3, True)]),
    ("developer_b", "developer2", "Jonas Weber", "developer tier 3", [("payments-engineering", 3, False)]),
]  # fmt: skip

# key, e-mail, full name, organisation, department, site, VIP
REQUESTERS = [
    ("requester", "requester", "Rita Alvarez", "Northwind Retail", "Stores", "Store 112 Lyon", False),
    ("vip", "vip", "Victor Hale", "Northwind Retail", "Finance", "Head office Paris", True),
    ("store_manager", "store.manager", "Kenji Sato", "Northwind Retail", "Stores", "Store 204 Lille", False),
    ("cashier", "cashier", "Amira Benali", "Northwind Retail", "Stores", "Store 087 Nantes", False),
    ("payroll_clerk", "payroll", "Greta Lindqvist", "Northwind Retail", "HR", "Head office Paris", False),
    ("warehouse", "warehouse", "Piotr Kowalski", "Northwind Logistics", "Warehouse", "Distribution centre Orléans", False),
    ("franchise", "franchise", "Chloé Martin", "Martin & Fils (franchise)", "Management", "Store 301 Bordeaux", True),
    ("marketing", "marketing", "Daniel Roy", "Northwind Retail", "Marketing", "Head office Paris", False),
]  # fmt: skip

# key, e-mail, full name, department, login role, has password
COLLABORATORS = [
    ("operations", "ops", "Olga Petrova", "IT Operations", "collaborator (ops)", True),
    ("tester", "tester", "Tess Müller", "Quality Assurance", "collaborator (tester)", True),
    ("data_owner", "data.owner", "Dan Okafor", "Master Data", "collaborator (data)", False),
    ("manager", "manager", "Maya Chen", "Retail Operations", "manager (collaborator)", False),
]


def configure(demo: dict) -> None:
    # One hash for everyone: PBKDF2 per user would make seeding slow for no benefit.
    hashed = make_password(PASSWORD)
    demo["started_at"] = timezone.now()
    demo["password"] = PASSWORD
    demo["teams"] = _teams()
    demo["people"] = people = {}
    demo["agents"] = {slug: [] for slug in demo["teams"]}

    people["admin"] = _user("admin", "Ada Admin", hashed, is_staff=True, is_superuser=True)
    _login(demo, "admin", people["admin"])
    for key, local, name, role, seats in AGENTS:
        people[key] = user = _user(
            local, name, hashed, organisation="Northwind Retail", department="IT Support"
        )
        for slug, tier, lead in seats:
            Membership.objects.create(user=user, team=demo["teams"][slug], tier=tier, is_lead=lead)
            demo["agents"][slug].append((user, tier))
        _login(demo, role, user)

    demo["collaborators"] = {}
    for key, local, name, department, role, has_password in COLLABORATORS:
        user = _user(
            local,
            name,
            hashed if has_password else None,
            organisation="Northwind Retail",
            department=department,
        )
        people[key] = demo["collaborators"][key] = user
        _login(demo, role, user, has_password)

    demo["requesters"] = []
    for key, local, name, org, department, site, vip in REQUESTERS:
        user = _user(
            local,
            name,
            hashed,
            organisation=org,
            department=department,
            site=site,
            is_vip=vip,
            manager=people["manager"] if department == "Stores" else None,
        )
        people[key] = user
        demo["requesters"].append(user)
        if key in ("requester", "vip", "store_manager"):
            _login(demo, "requester (VIP)" if vip else "requester", user)
    demo["stdout"].write(f"  people: {User.objects.count()} users in {len(demo['teams'])} teams")


def _teams() -> dict[str, Team]:
    return {
        slug: Team.objects.create(
            name=name,
            slug=slug,
            description=description,
            email=f"{slug}@{DOMAIN}",
            is_triage=slug == "triage",
            hourly_cost=HOURLY_COST[slug],
        )
        for slug, name, description in TEAMS
    }


def _user(local: str, full_name: str, hashed: str | None, **fields) -> User:
    if isinstance(fields.get("organisation"), str):
        fields["organisation"], _ = Organisation.objects.get_or_create(name=fields["organisation"])
    user = User(email=f"{local}@{DOMAIN}", full_name=full_name, **fields)
    if hashed:
        user.password = hashed
    else:
        user.set_unusable_password()  # a collaborator who signs in with an e-mailed link
    user.save()
    return user


def _login(demo: dict, role: str, user: User, has_password: bool = True) -> None:
    demo["logins"].append((role, user.email, PASSWORD if has_password else "(sign-in link)"))
