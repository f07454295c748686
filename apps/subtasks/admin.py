from django.contrib import admin

from .models import ResolveOverride, Subtask, SubtaskKind, SubtaskTemplate, SubtaskTemplateItem


@admin.register(SubtaskKind)
class SubtaskKindAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]


class TemplateItemInline(admin.TabularInline):
    model = SubtaskTemplateItem
    extra = 1
    fields = [
        "order",
        "title",
        "kind",
        "instructions",
        "blocking",
        "due_in_days",
        "assignee_team",
        "assignee_email",
    ]


@admin.register(SubtaskTemplate)
class SubtaskTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "is_active"]
    list_filter = ["is_active"]
    inlines = [TemplateItemInline]


@admin.register(Subtask)
class SubtaskAdmin(admin.ModelAdmin):
    """For looking things up; changes go through the ticket page so they are recorded."""

    list_display = [
        "title",
        "ticket",
        "kind",
        "assignee_user",
        "assignee_team",
        "status",
        "due_date",
    ]
    list_filter = ["status", "kind", "blocking"]
    search_fields = ["title", "assignee_user__email"]
    list_select_related = ["ticket", "kind", "assignee_user", "assignee_team"]
    readonly_fields = [f.name for f in Subtask._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ResolveOverride)
class ResolveOverrideAdmin(admin.ModelAdmin):
    list_display = ["ticket", "lead", "created_at", "reason"]
    readonly_fields = ["ticket", "lead", "reason", "created_at"]

    def has_add_permission(self, request):
        return False
