"""Django admin for routing: the rule editor, ordering, back-test, import/export, history."""

import json

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from apps.core.errors import ApplicationError
from apps.core.html import LINE_BREAK
from apps.tickets.actions import ActionNames
from apps.tickets.models import Ticket

from . import rules as rule_services
from . import services
from .admin_forms import BacktestForm, RuleAdminForm, RuleImportForm
from .conditions import conditions_describe
from .models import RootCause, RoutingDecision, Rule, RuleRevision, TeamRoutingSettings


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleAdminForm
    change_form_template = "routing/admin/rule_change_form.html"
    change_list_template = "routing/admin/rule_change_list.html"
    list_display = [
        "position",
        "name",
        "enabled",
        "stops",
        "when",
        "then",
        "move",
    ]
    list_display_links = ["name"]
    list_filter = ["enabled"]
    search_fields = ["name", "description"]
    ordering = ["position", "id"]
    actions = ["enable", "disable", "duplicate"]
    fieldsets = [
        (None, {"fields": ["name", "description", ("position", "enabled", "stop_processing")]})
    ]

    class Media:
        js = ["routing/rule_editor.js"]
        css = {"all": ["routing/rule_editor.css"]}

    @admin.display(description="Stops", boolean=True, ordering="stop_processing")
    def stops(self, rule):
        return rule.stop_processing

    @admin.display(description="When")
    def when(self, rule):
        return conditions_describe(rule.conditions)

    @admin.display(description="Then")
    def then(self, rule):
        # Names are read once for the whole page by get_changelist_instance.
        names = getattr(rule, "action_names", None) or ActionNames(rule.actions)
        lines = [(names.describe(spec),) for spec in rule.actions]
        return format_html_join(LINE_BREAK, "{}", lines) or "—"

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        rules = list(changelist.result_list)
        names = ActionNames(spec for rule in rules for spec in rule.actions)
        for rule in rules:
            rule.action_names = names
        return changelist

    @admin.display(description="Order")
    def move(self, rule):
        # Buttons inside the change-list form, posting to the move view with its CSRF token.
        return format_html(
            '<button class="button" formmethod="post" formaction="{}" title="Move up">↑</button> '
            '<button class="button" formmethod="post" formaction="{}" title="Move down">↓</button>',
            reverse("admin:routing_rule_move", args=[rule.pk, "up"]),
            reverse("admin:routing_rule_move", args=[rule.pk, "down"]),
        )

    # --- saving through the services (validation, history, cache invalidation) -------------

    def save_model(self, request, obj, form, change):
        data = {**form.rule_data, "position": form.cleaned_data.get("position") or 0}
        if change:
            rule = rule_services.rule_update(rule=obj, actor=request.user, data=data)
        else:
            position = data.pop("position") or None
            rule = rule_services.rule_create(actor=request.user, data=data, position=position)
        obj.pk, obj.position = rule.pk, rule.position

    def delete_model(self, request, obj):
        rule_services.rule_delete(rule=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for rule in queryset:
                rule_services.rule_delete(rule=rule, actor=request.user)

    @admin.action(description="Switch on the selected rules")
    def enable(self, request, queryset):
        count = rule_services.rule_set_enabled(rules=queryset, actor=request.user, enabled=True)
        self.message_user(request, f"{count} rule(s) switched on.")

    @admin.action(description="Switch off the selected rules")
    def disable(self, request, queryset):
        count = rule_services.rule_set_enabled(rules=queryset, actor=request.user, enabled=False)
        self.message_user(request, f"{count} rule(s) switched off.")

    @admin.action(description="Duplicate the selected rules (copies start switched off)")
    def duplicate(self, request, queryset):
        for rule in queryset:
            rule_services.rule_duplicate(rule=rule, actor=request.user)
        self.message_user(request, f"{queryset.count()} rule(s) duplicated.")

    # --- the editor: prefill from a triaged ticket, history, back-test of a draft ----------

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        reference = request.GET.get("from_ticket")
        ticket = Ticket.objects.by_reference(reference).first() if reference else None
        if ticket is not None:
            initial["_prefill"] = services.rule_prefill_from_ticket(ticket=ticket)
        return initial

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)

        class Form(base):
            def __init__(self, *args, **kw):
                initial = kw.get("initial") or {}
                super().__init__(*args, prefill=initial.pop("_prefill", None), **kw)

        return Form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_backtest" in request.POST:
            return self._backtest_draft(request, object_id)
        extra_context = {**(extra_context or {}), **self._editor_context(object_id)}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _editor_context(self, object_id) -> dict:
        revisions = (
            RuleRevision.objects.filter(rule_id=unquote(object_id)).select_related("changed_by")[
                :20
            ]
            if object_id
            else []
        )
        return {"revisions": revisions, "backtest_form": BacktestForm()}

    def _backtest_draft(self, request, object_id):
        """Run the rule set with this unsaved form in place against recent tickets; no writes."""
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if object_id and obj is None:
            raise Http404
        if not (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        ):
            raise Http404
        form = self.get_form(request, obj, change=obj is not None)(request.POST, instance=obj)
        limit_form = BacktestForm(request.POST)
        result = None
        if form.is_valid() and limit_form.is_valid():
            draft = {
                **form.rule_data,
                "id": obj.pk if obj else None,
                "position": form.cleaned_data.get("position"),
            }
            with transaction.atomic():
                result = services.rules_backtest(
                    draft=draft, limit=limit_form.cleaned_data["limit"]
                )
        admin_form = helpers.AdminForm(
            form, list(self.get_fieldsets(request, obj)), {}, (), model_admin=self
        )
        context = {
            **self.admin_site.each_context(request),
            **self._editor_context(object_id),
            "title": f"Back-test of “{form.data.get('name', '')}”",
            "subtitle": None,
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            "backtest": result,
            "backtest_form": limit_form,
        }
        return self.render_change_form(
            request, context, add=obj is None, change=obj is not None, obj=obj
        )

    # --- extra pages: move, back-test of the saved set, import, export ---------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/move/<str:direction>/", view(self.move_view), name="routing_rule_move"),
            path("backtest/", view(self.backtest_view), name="routing_rule_backtest"),
            path("export/", view(self.export_view), name="routing_rule_export"),
            path("import/", view(self.import_view), name="routing_rule_import"),
            *super().get_urls(),
        ]

    def _require(self, request, perm: str):
        if not getattr(self, f"has_{perm}_permission")(request):
            raise Http404

    def move_view(self, request, pk, direction):
        return require_POST(self._move)(request, pk, direction)

    def _move(self, request, pk, direction):
        self._require(request, "change")
        if direction not in ("up", "down"):
            raise Http404
        rule_services.rule_move(
            rule=get_object_or_404(Rule, pk=pk), actor=request.user, direction=direction
        )
        return redirect("admin:routing_rule_changelist")

    def backtest_view(self, request):
        self._require(request, "view")
        form = BacktestForm(request.GET or None)
        result = None
        if form.is_valid():
            with transaction.atomic():
                result = services.rules_backtest(compare="actual", limit=form.cleaned_data["limit"])
        context = {
            **self.admin_site.each_context(request),
            "title": "Back-test the rule set",
            "opts": self.model._meta,
            "form": form,
            "backtest": result,
        }
        return TemplateResponse(request, "routing/admin/backtest.html", context)

    def export_view(self, request):
        self._require(request, "view")
        body = json.dumps(rule_services.rules_export(), indent=2, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="routing-rules.json"'
        return response

    def import_view(self, request):
        self._require(request, "change")
        form = RuleImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                data = json.loads(form.cleaned_data["file"].read().decode("utf-8"))
                count = rule_services.rules_import(data=data, actor=request.user)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                form.add_error("file", f"Not a JSON file: {exc}.")
            except ApplicationError as exc:
                form.add_error("file", f"{exc.message} Nothing was changed.")
            else:
                messages.success(request, f"Imported {count} rules.")
                return redirect("admin:routing_rule_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Import rules",
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "routing/admin/import.html", context)


@admin.register(RuleRevision)
class RuleRevisionAdmin(admin.ModelAdmin):
    list_display = ["changed_at", "rule_name", "change", "changed_fields", "changed_by"]
    list_filter = ["change"]
    search_fields = ["rule_name"]
    # The snapshot in words rather than as the stored JSON.
    fields = [
        "rule",
        "rule_name",
        "change",
        "fields_changed",
        "changed_by",
        "changed_at",
        "conditions_then",
        "actions_then",
    ]
    readonly_fields = fields

    @admin.display(description="Changed fields")
    def fields_changed(self, revision):
        return ", ".join(revision.changed_fields) or "—"

    list_select_related = ["changed_by"]

    @admin.display(description="Conditions after the change")
    def conditions_then(self, revision):
        return conditions_describe(revision.snapshot.get("conditions") or {"all": []})

    @admin.display(description="Actions after the change")
    def actions_then(self, revision):
        specs = revision.snapshot.get("actions") or []
        return ActionNames(specs).describe_all(specs)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "ticket",
        "trigger",
        "routed",
        "team",
        "rules_evaluated",
        "total_ms",
    ]
    list_filter = ["trigger", "routed"]
    list_select_related = ["ticket", "team"]
    exclude = ["matched", "errors"]
    readonly_fields = [
        *(f.name for f in RoutingDecision._meta.fields if f.name not in ("matched", "errors")),
        "what_matched",
        "rule_errors",
    ]

    @admin.display(description="Rules matched and what they did")
    def what_matched(self, decision):
        lines = [
            (rule.get("rule", ""), action.get("label") or action.get("action", ""),
             action.get("result") or f"failed: {action.get('error', '')}")
            for rule in decision.matched
            for action in rule.get("actions", [])
        ]  # fmt: skip
        return format_html_join(LINE_BREAK, "{}: {} — {}", lines) or "No rule matched."

    @admin.display(description="Rules skipped for an error")
    def rule_errors(self, decision):
        rows = [(e.get("rule", ""), e.get("error", "")) for e in decision.errors]
        return format_html_join(LINE_BREAK, "{}: {}", rows) or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RootCause)
class RootCauseAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(TeamRoutingSettings)
class TeamRoutingSettingsAdmin(admin.ModelAdmin):
    list_display = ["team", "requires_root_cause"]
    list_editable = ["requires_root_cause"]
