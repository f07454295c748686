"""The help centre: search (as you type), articles with "Did this help?", deflection, files.

Readable signed out: public articles need no account; the rest follows the audience rules."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.core.errors import ApplicationError
from apps.core.numbers import as_id

from ..forms import FeedbackForm
from ..models import DeflectionKind
from ..search import article_search
from ..selectors import (
    article_files_readable,
    article_get_readable,
    article_suggest,
    popular_articles,
    related_articles_for,
    sections_with_articles,
)
from ..services import (
    article_view_record,
    deflection_record,
    feedback_record,
    search_log,
)

RESULTS = 20


def _session_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


@require_GET
def home(request):
    query = request.GET.get("q", "").strip()
    context = {"query": query, "nav": "kb:home"}
    if query:
        result = article_search(query=query, user=request.user, limit=RESULTS)
        search_log(
            query=query, results=len(result), source="portal", session_key=_session_key(request)
        )
        context["result"] = result
    if request.htmx:
        return render(request, "knowledge/portal/_results.html", context)
    if not query:
        context["sections"] = sections_with_articles(user=request.user)
        context["popular"] = popular_articles(user=request.user)
    return render(request, "knowledge/portal/home.html", context)


@require_GET
def article_detail(request, slug):
    article = article_get_readable(user=request.user, slug=slug)
    article_view_record(article=article, session=request.session)
    from_suggestion = request.GET.get("from") == "suggest"
    if from_suggestion:
        # Opened from the new-ticket form: counts as deflected unless a ticket follows soon.
        deflection_record(
            article=article,
            kind=DeflectionKind.VIEWED,
            session_key=_session_key(request),
            user=request.user,
            query=request.GET.get("q", ""),
        )
    context = {
        "article": article,
        "related": related_articles_for(article=article, user=request.user),
        "from_suggestion": from_suggestion,
        "query": request.GET.get("q", ""),
        "feedback_form": FeedbackForm(),
        "nav": "kb:home",
    }
    return render(request, "knowledge/portal/article.html", context)


@require_POST
def article_feedback(request, slug):
    article = article_get_readable(user=request.user, slug=slug)
    form = FeedbackForm(request.POST)
    context = {"article": article, "feedback_form": form}
    if form.is_valid():
        try:
            feedback_record(
                article=article,
                helpful=form.cleaned_data["helpful"],
                comment=form.cleaned_data["comment"],
                user=request.user,
                session_key=_session_key(request),
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            context["thanked"] = form.cleaned_data["helpful"]
    if request.htmx:
        return render(request, "knowledge/portal/_feedback.html", context)
    if "thanked" in context:
        messages.success(request, "Thank you for your feedback.")
    return redirect("kb:article", slug=article.slug)


@require_GET
def suggest(request):
    """The block beside the new-ticket form, reloaded as the requester types or picks."""
    subject = request.GET.get("subject", "")[:300]
    category = request.GET.get("category", "")
    category_id = as_id(category)
    articles = article_suggest(user=request.user, subject=subject, category_id=category_id)
    if subject.strip():
        search_log(
            query=subject,
            results=len(articles),
            source="suggest",
            session_key=_session_key(request),
        )
    context = {"articles": articles, "subject": subject}
    return render(request, "knowledge/panels/_suggestions.html", context)


@require_POST
def deflect(request, slug):
    """ "This solved my problem": counted, and the requester goes back without a ticket."""
    article = article_get_readable(user=request.user, slug=slug)
    deflection_record(
        article=article,
        kind=DeflectionKind.SOLVED,
        session_key=_session_key(request),
        user=request.user,
        query=request.POST.get("q", ""),
    )
    messages.success(request, "Glad that solved it — no request needed.")
    if request.user.is_authenticated:
        return redirect("portal:tickets")
    return redirect(reverse("kb:home"))


@require_GET
def file_download(request, pk):
    file = article_files_readable(user=request.user, pk=pk)
    response = FileResponse(
        file.file.open("rb"),
        as_attachment=not file.is_image,
        filename=file.filename,
        content_type=file.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
