"""The article editor and the lead's numbers, in the agent workspace; and the endpoints of the
knowledge panel on the agent's ticket page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.errors import ApplicationError
from apps.core.numbers import as_id
from apps.tickets.selectors import ticket_get

from ..forms import ArticleForm, FileForm, RejectForm
from ..models import Article, ArticleStatus
from ..permissions import can_edit, can_publish, can_publish_article
from ..rendering import render_markdown
from ..search import article_search
from ..selectors import (
    article_get_for_edit,
    article_list_for_workspace,
    article_numbers,
    article_queryset_for,
    empty_searches,
    own_revisions_awaiting,
    pending_diff,
    pending_revision_get,
    pending_revisions_for,
    revision_diff,
    revision_list,
    ticket_solution_search,
    weekly_numbers,
)
from ..services import (
    article_create,
    article_create_from_ticket,
    article_file_add,
    article_link_send,
    article_set_status,
    article_update,
    revision_approve,
    revision_reject,
)

AWAITS_APPROVAL = "Your change awaits a lead's approval. Readers see the published text until then."


def _editor_only(request):
    if not can_edit(request.user):
        raise Http404("Not found.")


@login_required
@require_GET
def article_list(request):
    _editor_only(request)
    status = request.GET.get("status", "")
    articles = article_list_for_workspace(
        user=request.user, status=status, query=request.GET.get("q", "")
    )[:100]
    context = {
        "articles": articles,
        "status": status,
        "statuses": ArticleStatus.choices,
        "query": request.GET.get("q", ""),
        "nav": "kb-desk:articles",
    }
    return render(request, "knowledge/workspace/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def article_new(request):
    _editor_only(request)
    form = ArticleForm(request.POST or None, initial={"audience": "public"}, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            article = article_create(author=request.user, **data)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Draft saved.")
            return redirect("kb-desk:edit", pk=article.pk)
    return render(
        request,
        "knowledge/workspace/edit.html",
        {"form": form, "article": None, "nav": "kb-desk:articles"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request, pk):
    article = article_get_for_edit(user=request.user, pk=pk)
    own = own_revisions_awaiting(user=request.user, article=article)
    form = ArticleForm(
        request.POST or None,
        initial=ArticleForm.initial_for(article, user=request.user, pending=own["pending"]),
        article=article,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            updated = article_update(
                article=article,
                actor=request.user,
                data=form.service_data(),
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            if updated.pending_revision is not None:
                messages.info(request, AWAITS_APPROVAL)
            else:
                messages.success(request, "Saved.")
            return redirect("kb-desk:edit", pk=article.pk)
    may_publish = can_publish_article(request.user, article)
    context = {
        "form": form,
        "article": article,
        "file_form": FileForm(),
        "files": article.files.all(),
        "revisions": revision_list(article=article)[:10],
        "can_publish": may_publish,
        "changes_need_approval": article.is_published and not may_publish,
        "own_pending": own["pending"],
        "own_rejected": own["rejected"],
        "pending_count": pending_revisions_for(user=request.user).filter(article=article).count()
        if may_publish
        else 0,
        "transitions": _transitions(article, request.user),
        "nav": "kb-desk:articles",
    }
    return render(request, "knowledge/workspace/edit.html", context)


def _transitions(article: Article, user) -> list[tuple[str, str]]:
    """The status buttons this person can use on this article."""
    labels = {
        ArticleStatus.DRAFT: "Back to draft",
        ArticleStatus.REVIEW: "Submit for review",
        ArticleStatus.PUBLISHED: "Publish",
        ArticleStatus.ARCHIVED: "Archive",
    }
    agent_may = {
        ArticleStatus.DRAFT: [ArticleStatus.REVIEW],
        ArticleStatus.REVIEW: [ArticleStatus.DRAFT],
    }
    targets = (
        [s for s in ArticleStatus.values if s != article.status]
        if can_publish_article(user, article)
        else agent_may.get(article.status, [])
    )
    return [(s, labels[s]) for s in targets]


@login_required
@require_POST
def article_preview(request):
    """htmx: the Markdown as readers will see it (sanitised the same way)."""
    _editor_only(request)
    try:
        html = render_markdown(request.POST.get("body", ""))
    except ApplicationError as error:  # too long or too complex: say so where the preview goes
        html = format_html('<p class="error small">{}</p>', error.message)
    return render(request, "knowledge/workspace/_preview.html", {"html": html})


@login_required
@require_POST
def article_status(request, pk):
    article = article_get_for_edit(user=request.user, pk=pk)
    try:
        article = article_set_status(
            article=article, actor=request.user, status=request.POST.get("status", "")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Article is now {article.get_status_display().lower()}.")
    return redirect("kb-desk:edit", pk=article.pk)


@login_required
@require_POST
def article_file(request, pk):
    article = article_get_for_edit(user=request.user, pk=pk)
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a file to upload.")
        return redirect("kb-desk:edit", pk=article.pk)
    try:
        file = article_file_add(
            article=article, user=request.user, upload=form.cleaned_data["file"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Uploaded “{file.filename}”. Copy its Markdown into the text.")
    return redirect("kb-desk:edit", pk=article.pk)


@login_required
@require_GET
def article_revisions(request, pk):
    article = article_get_for_edit(user=request.user, pk=pk)
    revisions = revision_list(article=article)
    number = request.GET.get("r")
    chosen = as_id(number)
    if chosen is None and revisions:
        chosen = revisions[0].number
    revision, diff = revision_diff(article=article, number=chosen) if chosen else (None, [])
    context = {
        "article": article,
        "revisions": revisions,
        "revision": revision,
        "diff": diff,
        "nav": "kb-desk:articles",
    }
    return render(request, "knowledge/workspace/revisions.html", context)


@login_required
@require_GET
def numbers(request):
    if not request.user.is_lead:
        raise Http404("Not found.")
    context = {
        "articles": article_numbers(user=request.user)[:100],
        "weeks": weekly_numbers(weeks=12),
        "empty": empty_searches(days=30, limit=20),
        "nav": "kb-desk:numbers",
    }
    return render(request, "knowledge/workspace/numbers.html", context)


# --- Changes awaiting a lead's approval --------------------------------------------------

PENDING_PAGE = 50


def _lead_only(request):
    if not (can_edit(request.user) and can_publish(request.user)):
        raise Http404("Not found.")


@login_required
@require_GET
def pending_list(request):
    """Non-leads' changes to published articles, each with what approving it would change."""
    _lead_only(request)
    revisions = list(pending_revisions_for(user=request.user)[:PENDING_PAGE])
    changes = [
        {
            "revision": r,
            "diff": pending_diff(revision=r, article=r.article),
            "stale": r.base_number is not None and r.live_number != r.base_number,
        }
        for r in revisions
    ]
    context = {"changes": changes, "reject_form": RejectForm(), "nav": "kb-desk:pending"}
    return render(request, "knowledge/workspace/pending.html", context)


@login_required
@require_POST
def pending_approve(request, pk):
    _lead_only(request)
    revision = pending_revision_get(user=request.user, pk=pk)
    try:
        article = revision_approve(revision=revision, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Approved: “{article.title}” now reads as changed.")
    return redirect("kb-desk:pending")


@login_required
@require_POST
def pending_reject(request, pk):
    _lead_only(request)
    revision = pending_revision_get(user=request.user, pk=pk)
    form = RejectForm(request.POST)
    try:
        revision_reject(
            revision=revision,
            actor=request.user,
            reason=form.data.get("reason", ""),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Rejected the change to “{revision.article.title}”.")
    return redirect("kb-desk:pending")


# --- The knowledge panel on the agent's ticket page ----------------------------------------


@login_required
@require_GET
def panel_search(request, reference):
    _editor_only(request)
    ticket = ticket_get(user=request.user, key=reference)
    query = request.GET.get("q", "")
    context = {
        "ticket": ticket,
        "hits": article_search(query=query, user=request.user, limit=6).hits,
        "solutions": ticket_solution_search(user=request.user, query=query, limit=5),
        "query": query,
    }
    return render(request, "knowledge/panels/_agent_results.html", context)


@login_required
@require_POST
def panel_send(request, reference, pk):
    _editor_only(request)
    ticket = ticket_get(user=request.user, key=reference)
    article = article_queryset_for(request.user).filter(pk=pk).first()
    if article is None:
        raise Http404("No such article.")
    try:
        article_link_send(ticket=ticket, article=article, agent=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Sent “{article.title}” to the requester.")
    return redirect("workspace:ticket", reference=ticket.reference)


@login_required
@require_POST
def panel_draft(request, reference):
    _editor_only(request)
    ticket = ticket_get(user=request.user, key=reference)
    try:
        article = article_create_from_ticket(ticket=ticket, author=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("workspace:ticket", reference=ticket.reference)
    messages.success(request, "Draft article created from the ticket: review and submit it.")
    return redirect("kb-desk:edit", pk=article.pk)
