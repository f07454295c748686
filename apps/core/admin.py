"""The outbox in the admin: find a message, read why it failed, send it again."""

from django.contrib import admin, messages

from .models import OutboxMessage
from .outbox import outbox_retry


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "to",
        "subject",
        "ticket_reference",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject", "ticket_reference", "dedupe_key"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    date_hierarchy = "created_at"
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Retry now (failed or waiting messages)", permissions=["change"])
    def retry_now(self, request, queryset):
        count = outbox_retry(message_ids=list(queryset.values_list("pk", flat=True)))
        skipped = queryset.count() - count
        self.message_user(request, f"{count} message(s) will be sent again now.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} already sent or being sent: left as they are.", messages.INFO
            )
