"""Rules compile once per process and every process follows a change at its next ticket."""

from apps.routing import engine
from apps.routing.rules import rule_update
from apps.routing.services import compiled_rules

from .conftest import send_to


def test_rules_compile_once_and_are_reused_while_nothing_changes(desk, make_rule, open_ticket):
    make_rule("Everything to payments", {"all": []}, send_to(desk["payments"]))

    first = compiled_rules()
    open_ticket()
    open_ticket()

    assert compiled_rules() is first


def test_a_change_reaches_a_process_that_compiled_the_old_rules(
    desk, make_rule, open_ticket, admin_user
):
    rule = make_rule("Everything to payments", {"all": []}, send_to(desk["payments"]))
    assert open_ticket().team == desk["payments"]
    stale = compiled_rules()

    # Another process (admin web) edits the rule: only the shared version in the cache moves.
    version = engine.current_version()
    rule_update(rule=rule, actor=admin_user, data={"actions": send_to(desk["networks"])})

    assert engine.current_version() != version
    assert open_ticket().team == desk["networks"]
    assert compiled_rules() is not stale


def test_a_lost_cache_entry_forces_a_rebuild_not_a_stale_rule_set(desk, make_rule, open_ticket):
    from django.core.cache import cache

    make_rule("Everything to payments", {"all": []}, send_to(desk["payments"]))
    before = compiled_rules()

    cache.delete(engine.VERSION_KEY)  # Redis restarted, key evicted…

    assert compiled_rules() is not before
    assert open_ticket().team == desk["payments"]


def test_edits_behind_the_services_back_still_invalidate(desk, make_rule, open_ticket):
    rule = make_rule("Everything to payments", {"all": []}, send_to(desk["payments"]))
    compiled_rules()

    rule.enabled = False
    rule.save()  # a bulk edit or the shell: the model signal bumps the version

    assert open_ticket().team == desk["triage"]


def test_without_a_cache_rules_are_rebuilt_from_the_database_every_few_seconds(
    desk, make_rule, open_ticket, admin_user, settings, monkeypatch
):
    """Redis down: no shared version. Tickets are still routed, by rules at most seconds old."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    rule = make_rule("Everything to payments", {"all": []}, send_to(desk["payments"]))
    assert engine.current_version() is None
    assert open_ticket().team == desk["payments"]
    first = compiled_rules()
    assert compiled_rules() is first  # within LOCAL_TTL: reused

    rule_update(rule=rule, actor=admin_user, data={"actions": send_to(desk["networks"])})
    monkeypatch.setattr(engine, "LOCAL_TTL", 0.0)  # …and the few seconds have passed

    assert open_ticket().team == desk["networks"]
    assert compiled_rules() is not first
