from django.contrib import admin

from .models import (
    Attachment,
    Category,
    Comment,
    Location,
    PriorityMatrixCell,
    Product,
    Tag,
    Ticket,
    TicketEvent,
)


@admin.register(Category, Location, Product)
class LookupAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class CommentInline(admin.StackedInline):
    model = Comment
    extra = 0
    readonly_fields = ["author", "body", "is_internal", "channel", "created_at"]
    can_delete = False


class EventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    readonly_fields = ["created_at", "kind", "actor", "changes", "data"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-mostly: tickets are worked in the workspace, where every change is recorded."""

    list_display = [
        "reference",
        "subject",
        "status",
        "priority",
        "team",
        "tier",
        "assignee",
        "updated_at",
    ]
    list_filter = ["status", "priority", "team", "tier", "channel"]
    search_fields = ["subject"]
    list_select_related = ["team", "assignee"]
    readonly_fields = [f.name for f in Ticket._meta.fields] + ["tags"]
    inlines = [CommentInline, EventInline]

    def has_add_permission(self, request):
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["filename", "ticket", "content_type", "size", "created_at"]
    readonly_fields = [
        "ticket",
        "comment",
        "file",
        "filename",
        "content_type",
        "size",
        "uploaded_by",
        "created_at",
    ]


@admin.register(PriorityMatrixCell)
class PriorityMatrixCellAdmin(admin.ModelAdmin):
    """The nine cells of impact-by-urgency, each with the priority it gives a new ticket: one
    editable grid, no cells to add or remove."""

    list_display = ["impact", "urgency", "priority"]
    list_editable = ["priority"]
    list_display_links = None
    ordering = ["-impact", "-urgency"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
