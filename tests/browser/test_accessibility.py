"""Every role's main pages pass axe-core (tests/browser/vendor/axe.min.js) without a serious or
critical violation: contrast, names of links, buttons and fields, landmarks, unique ids, ARIA.

Lesser findings ("moderate", "minor") are printed but do not fail: they are worth a look, not a
red build.
"""

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
FAILING = {"serious", "critical"}

# Runs in the page: axe's violations, each with the few nodes a person needs to find them.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(" "), why: n.failureSummary})),
    count: v.nodes.length,
  }));
}"""


def violations_of(page, path):
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert page.title(), f"{path} has no title"
    page.evaluate(AXE)  # evaluated by the browser itself: the page's CSP does not apply
    return [dict(v, path=path) for v in page.evaluate(RUN_AXE)]


def readable(violations) -> str:
    lines = []
    for v in violations:
        lines.append(
            f"\n{v['path']}: [{v['impact']}] {v['id']} — {v['help']} ({v['count']} elements)"
        )
        lines.append(f"    {v['url']}")
        for node in v["nodes"]:
            why = node["why"].replace("\n", "\n        ")
            lines.append(f"    at {node['target']}\n        {why}")
    return "\n".join(lines)


def check(page, paths):
    found = [v for path in paths for v in violations_of(page, path)]
    minor = [v for v in found if v["impact"] not in FAILING]
    if minor:
        print("Lesser accessibility findings:", readable(minor))
    serious = [v for v in found if v["impact"] in FAILING]
    assert not serious, "Serious accessibility violations:" + readable(serious)


def test_pages_for_visitors_are_accessible(open_page, desk):
    page = open_page("/accounts/sign-in/")
    check(
        page, ["/accounts/sign-in/", "/help/", "/help/?q=terminal", f"/help/{desk.article.slug}/"]
    )


def test_pages_for_requesters_are_accessible(sign_in, desk):
    page = sign_in(desk.requester)
    check(page, ["/portal/", "/portal/new/", f"/portal/tickets/{desk.ticket.reference}/"])


def test_pages_for_collaborators_are_accessible(sign_in, desk):
    page = sign_in(desk.collaborator)
    check(page, ["/tasks/mine/", f"/tasks/task/{desk.subtask.pk}/"])


def test_pages_for_agents_are_accessible(sign_in, desk):
    page = sign_in(desk.agent)
    check(page, ["/desk/", f"/desk/tickets/{desk.ticket.reference}/", "/routing/triage/"])


def test_pages_for_leads_are_accessible(sign_in, desk):
    page = sign_in(desk.lead)
    check(page, ["/insights/", "/reviews/", "/desk/sla/at-risk/"])


def test_pages_for_admins_are_accessible(sign_in, desk):
    page = sign_in(desk.admin)
    check(
        page,
        [
            "/admin/",
            "/admin/accounts/user/",
            "/admin/tickets/ticket/",
            "/admin/routing/rule/add/",  # the rule editor: a table of unlabelled cells
            "/admin/sla/policy/add/",
        ],
    )


def test_pages_on_a_phone_are_accessible(sign_in, desk):
    """The folded header (and the open menu) on a phone, where the layout differs most."""
    page = sign_in(desk.requester, viewport=(390, 844))
    check(page, ["/portal/"])
    page.get_by_role("button", name="Menu").click()
    found = [dict(v, path="/portal/ (menu open)") for v in page.evaluate(RUN_AXE)]
    serious = [v for v in found if v["impact"] in FAILING]
    assert not serious, "Serious accessibility violations:" + readable(serious)
