"""Admin for tiered support: escalation paths and checklists (also inline on each team), and
read-only escalations, hand-backs and time per tier for looking things up."""

from django.contrib import admin

from apps.accounts.admin import TeamAdmin
from apps.accounts.models import Team

from .models import ChecklistItem, Escalation, EscalationStep, HandBack, TierTime


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    fk_name = "team"
    extra = 0
    verbose_name = "escalation step (default: same team, next tier)"


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    prepopulated_fields = {"key": ["label"]}
    verbose_name = "required before escalating to this team"


admin.site.unregister(Team)


@admin.register(Team)
class TieredTeamAdmin(TeamAdmin):
    inlines = [*TeamAdmin.inlines, EscalationStepInline, ChecklistItemInline]


@admin.register(EscalationStep)
class EscalationStepAdmin(admin.ModelAdmin):
    list_display = ["team", "from_tier", "to_team", "to_tier"]
    list_filter = ["team", "to_team"]
    list_select_related = ["team", "to_team"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["label", "team", "tier", "key", "order", "is_active"]
    list_filter = ["team", "tier", "is_active"]
    prepopulated_fields = {"key": ["label"]}
    search_fields = ["label", "key"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "from_team", "from_tier", "to_team", "to_tier", "actor", "created_at"]
    list_filter = ["to_team", "to_tier"]
    list_select_related = ["ticket", "from_team", "to_team", "actor"]
    date_hierarchy = "created_at"


@admin.register(HandBack)
class HandBackAdmin(ReadOnlyAdmin):
    list_display = [
        "ticket",
        "from_team",
        "from_tier",
        "to_team",
        "to_tier",
        "to_requester",
        "created_at",
    ]
    list_filter = ["to_team", "to_requester"]
    list_select_related = ["ticket", "from_team", "to_team"]
    date_hierarchy = "created_at"


@admin.register(TierTime)
class TierTimeAdmin(ReadOnlyAdmin):
    list_display = [
        "ticket",
        "current_tier",
        "tier1_seconds",
        "tier2_seconds",
        "tier3_seconds",
        "open_to_resolved_seconds",
        "hand_backs",
    ]
    list_select_related = ["ticket"]
