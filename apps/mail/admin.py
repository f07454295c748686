"""E-mail in the admin: mailboxes (credentials never shown back), and every message received
with what became of it — the quarantine to retry, the original to download."""

import hashlib
import secrets

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from .intake import inbound_retry
from .models import InboundMessage, Mailbox, Status


class MailboxForm(forms.ModelForm):
    imap_password = forms.CharField(
        label="IMAP password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Kept sealed; never shown again. Leave empty to keep the one stored.",
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "address",
            "is_active",
            "unknown_senders",
            "default_category",
            "default_team",
            "imap_host",
            "imap_port",
            "imap_ssl",
            "imap_username",
            "imap_folder",
            "after_ingest",
            "move_to_folder",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("imap_host") and not cleaned.get("imap_username"):
            self.add_error("imap_username", "An IMAP mailbox needs the user name to log in with.")
        if cleaned.get("after_ingest") == "move" and not cleaned.get("move_to_folder", "").strip():
            self.add_error("move_to_folder", "Name the folder read mail is moved to.")
        return cleaned

    def save(self, commit=True):
        mailbox = super().save(commit=False)
        if self.cleaned_data.get("imap_password"):
            mailbox.set_imap_password(self.cleaned_data["imap_password"])
        if commit:
            mailbox.save()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["name", "address", "is_active", "polled", "last_polled_at", "problem"]
    readonly_fields = ["password_state", "imap_last_uid", "last_polled_at", "last_error"]
    actions = ["poll_now", "issue_intake_token"]
    fieldsets = [
        (None, {"fields": ["name", "address", "is_active", "unknown_senders"]}),
        ("New tickets", {"fields": ["default_category", "default_team"]}),
        (
            "IMAP (leave the host empty for mail piped by the MTA or posted over HTTP)",
            {
                "fields": [
                    "imap_host",
                    "imap_port",
                    "imap_ssl",
                    "imap_username",
                    "imap_password",
                    "password_state",
                    "imap_folder",
                    "after_ingest",
                    "move_to_folder",
                ]
            },
        ),
        ("Polling", {"fields": ["imap_last_uid", "last_polled_at", "last_error"]}),
    ]

    @admin.display(boolean=True, description="IMAP")
    def polled(self, mailbox):
        return mailbox.polls

    @admin.display(description="Last error")
    def problem(self, mailbox):
        return mailbox.last_error[:120]

    @admin.display(description="Stored password")
    def password_state(self, mailbox):
        if not mailbox.imap_password_sealed:
            return "none"
        return "stored (sealed)" if mailbox.imap_password_readable else "unreadable: enter it again"

    @admin.action(description="Poll now (IMAP mailboxes)", permissions=["change"])
    def poll_now(self, request, queryset):
        from .imap import mailbox_poll

        for mailbox in queryset:
            if not mailbox.polls:
                self.message_user(request, f"{mailbox.name}: not an IMAP mailbox.", messages.INFO)
                continue
            figures = mailbox_poll(mailbox)
            mailbox.refresh_from_db()
            level = messages.ERROR if mailbox.last_error else messages.SUCCESS
            text = mailbox.last_error or ", ".join(f"{k} {v}" for k, v in figures.items())
            self.message_user(request, f"{mailbox.name}: {text}", level)

    @admin.action(description="Issue a new HTTP intake token", permissions=["change"])
    def issue_intake_token(self, request, queryset):
        for mailbox in queryset:
            token = secrets.token_urlsafe(32)
            mailbox.intake_token_hash = hashlib.sha256(token.encode()).hexdigest()
            mailbox.save(update_fields=["intake_token_hash"])
            self.message_user(
                request,
                f"{mailbox.name}: POST raw messages to /mail/inbound/ with "
                f"“Authorization: Bearer {token}”. Copy it now: it is not shown again, and the "
                "previous token stopped working.",
                messages.WARNING,
            )


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "from_address", "short_subject", "status", "outcome"]
    list_filter = ["status", "source", "mailbox"]
    search_fields = ["from_address", "subject", "message_id", "sha256", "outcome"]
    date_hierarchy = "received_at"
    actions = ["retry", "accept_anyway"]
    readonly_fields = [
        "received_at",
        "source",
        "mailbox",
        "size",
        "sha256",
        "message_id",
        "from_address",
        "subject",
        "status",
        "outcome",
        "error",
        "attempts",
        "processed_at",
        "duplicate_of",
        "ticket_link",
        "original",
        "beginning",
        "full_text",
    ]
    fields = readonly_fields
    PREVIEW_BYTES = 3000

    def get_queryset(self, request):
        return super().get_queryset(request).defer("raw", "full_text")

    @admin.display(description="Subject")
    def short_subject(self, message):
        return message.subject[:60] + ("…" if len(message.subject) > 60 else "")

    @admin.display(description="Beginning of the raw message")
    def beginning(self, message):
        raw = bytes(message.raw[: self.PREVIEW_BYTES]).decode("utf-8", errors="replace")
        return format_html('<pre style="white-space: pre-wrap; margin: 0">{}</pre>', raw)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a message is never dropped

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # actions, no editing

    @admin.display(description="Ticket")
    def ticket_link(self, message):
        if message.ticket_id is None:
            return "—"
        url = reverse("workspace:ticket", args=[message.ticket.reference])
        return format_html('<a href="{}">{}</a>', url, message.ticket.reference)

    @admin.display(description="Original")
    def original(self, message):
        url = reverse("mail:message-raw", args=[message.pk])
        return format_html('<a href="{}">Download the raw message (.eml)</a>', url)

    @admin.action(description="Retry (quarantined messages)", permissions=["change"])
    def retry(self, request, queryset):
        self._report(request, queryset.filter(status__in=[Status.QUARANTINED, Status.RECEIVED]))

    @admin.action(
        description="Accept anyway (ignored or quarantined: past noise, flood and DMARC checks)",
        permissions=["change"],
    )
    def accept_anyway(self, request, queryset):
        chosen = queryset.filter(status__in=[Status.IGNORED, Status.QUARANTINED])
        self._report(request, chosen, accept_anyway=True)

    def _report(self, request, queryset, *, accept_anyway=False):
        ids = list(queryset.values_list("pk", flat=True))
        if not ids:
            self.message_user(request, "None of the chosen messages can be taken that way.")
            return
        for line in inbound_retry(message_ids=ids, accept_anyway=accept_anyway):
            level = messages.ERROR if line.startswith("quarantined") else messages.SUCCESS
            self.message_user(request, line, level)
