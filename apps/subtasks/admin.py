"""Admin for subtasks, their kinds and templates, and resolve overrides (read-only)."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.html import format_html_join

from apps.core.html import LINE_BREAK
from apps.tickets.models import Comment

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
    """For looking things up; changes go through the ticket page so they are recorded.

    Everything is read-only, the links to other subtasks and shared comments included: as
    form fields they were selects of every subtask and comment of the desk, each option
    reading its ticket and author (thousands of queries per page).
    """

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
    show_full_result_count = False  # no second COUNT over the whole table for every search
    ordering = ["-pk"]  # newest first, read backwards along the primary key index
    list_per_page = 50
    readonly_fields = [
        *(f.name for f in Subtask._meta.fields),
        "waits_for",
        "comments_shared",
    ]
    exclude = ["depends_on", "shared_comments"]

    def has_add_permission(self, request):
        return False

    def get_object(self, request, object_id, from_field=None):
        # The change page names every linked row: read them with the subtask.
        queryset = self.get_queryset(request).select_related(
            "ticket",
            "kind",
            "assignee_user",
            "assignee_team",
            "template_item",
            "created_by",
            "completed_by",
        )
        queryset = queryset.prefetch_related(
            Prefetch("depends_on", Subtask.objects.select_related("ticket")),
            Prefetch(
                "shared_comments",
                Comment.objects.select_related("ticket", "author").order_by("created_at"),
            ),
        )
        field = Subtask._meta.pk if from_field is None else Subtask._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (Subtask.DoesNotExist, ValidationError, ValueError):
            return None

    @admin.display(description="Waits for")
    def waits_for(self, subtask):
        rows = [(s.title, s.get_status_display()) for s in subtask.depends_on.all()]
        return format_html_join(", ", "{} ({})", rows) or "—"

    @admin.display(description="Comments shared with the assignee")
    def comments_shared(self, subtask):
        rows = [(c.created_at.date(), c.author, c.body[:80]) for c in subtask.shared_comments.all()]
        return format_html_join(LINE_BREAK, "{}, {}: {}", rows) or "—"


@admin.register(ResolveOverride)
class ResolveOverrideAdmin(admin.ModelAdmin):
    list_display = ["ticket", "lead", "created_at", "reason"]
    readonly_fields = ["ticket", "lead", "reason", "created_at"]

    def has_add_permission(self, request):
        return False
