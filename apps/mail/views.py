"""E-mail pages: the HTTP entry for providers that POST raw MIME, and an e-mail as received
(its whole text, quotes and signature included, and the original file) for the ticket's agents."""

import hashlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.core.numbers import as_id
from apps.tickets.permissions import can_work

from .intake import inbound_process, inbound_store, size_limit
from .models import InboundMessage, Mailbox, Source


def _bearer_mailbox(request) -> Mailbox | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    digest = hashlib.sha256(token.strip().encode()).hexdigest()
    return Mailbox.objects.filter(intake_token_hash=digest, is_active=True).first()


@csrf_exempt  # a machine's POST, authenticated by the mailbox's bearer token, not a session
@require_POST
def inbound_http(request):
    """POST one raw RFC 822 message (any content type) with ``Authorization: Bearer <token>``.
    201 with the outcome once stored; 503 when it could not be stored (send it again)."""
    mailbox = _bearer_mailbox(request)
    if mailbox is None:
        return JsonResponse({"detail": "A valid mailbox intake token is required."}, status=401)
    limit = settings.MAIL_MAX_MESSAGE_BYTES
    raw = request.read(limit + 1)  # the stream, not request.body: mail is bigger than forms
    if len(raw) > limit:
        return JsonResponse(
            {"detail": f"The message is larger than the {size_limit()} limit."},
            status=413,
        )
    if not raw.strip():
        return JsonResponse({"detail": "The request body must be the raw message."}, status=400)
    try:
        message, stored_now = inbound_store(raw, source=Source.HTTP, mailbox=mailbox)
    except Exception as exc:  # not stored: the provider must keep it and retry
        response = JsonResponse(
            {"detail": f"The message could not be stored ({type(exc).__name__}); send it again."},
            status=503,
        )
        response["Retry-After"] = "60"
        return response
    outcome = inbound_process(message) if stored_now else f"duplicate {message.pk}"
    return JsonResponse(
        {"id": message.pk, "stored": stored_now, "outcome": outcome},
        status=201 if stored_now else 200,
    )


def _readable_message(request, pk) -> InboundMessage:
    """404 unless the person may work the ticket the message went to (admins: any message)."""
    message = (
        InboundMessage.objects.select_related("ticket", "mailbox").filter(pk=as_id(pk)).first()
    )
    user = request.user
    if message is None or not user.is_active:
        raise Http404("No such e-mail.")
    if user.is_staff or user.is_superuser:
        return message
    if message.ticket is None or not user.is_agent or not can_work(user, message.ticket):
        raise Http404("No such e-mail.")
    return message


@login_required
def message_detail(request, pk):
    message = _readable_message(request, pk)
    return render(request, "mail/message.html", {"message": message, "nav": "queue"})


@login_required
def message_raw(request, pk):
    message = _readable_message(request, pk)
    response = HttpResponse(bytes(message.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def panel_context(request, ticket) -> dict:
    messages = ticket.inbound_messages.order_by("-received_at").only(
        "pk", "received_at", "from_address", "subject", "status", "outcome", "ticket_id"
    )[:20]
    followers = ticket.followers.select_related("user").order_by("added_at")
    return {"ticket": ticket, "inbound": list(messages), "followers": list(followers)}
