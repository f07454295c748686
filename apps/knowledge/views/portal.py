"""The help centre: search (as you type), articles with "Did this help?", deflection, files.

Readable signed out: public articles need no account; the rest follows the audience rules.
Signed-out reading writes no session (apps.knowledge.visitors), and what anonymous visitors add
to the figures is limited per client address."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.core.downloads import file_response
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id
from apps.core.ratelimits import rate_limited

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
from ..visitors import may_count, remembers_visitor, visitor_key, vote_over_limit

RESULTS = 20
TOO_MANY_VOTES = "We received too many answers from your network. Please try again later."


@require_GET
@remembers_visitor
def home(request):
    query = request.GET.get("q", "").strip()
    context = {"query": query, "nav": "kb:home"}
    if query:
        # "exact": the link under a corrected search, to search what was typed after all.
        exact = request.GET.get("exact") == "1"
        result = article_search(query=query, user=request.user, limit=RESULTS, exact=exact)
        if may_count(request):
            search_log(
                query=query, results=len(result), source="portal", session_key=visitor_key(request)
            )
        context["result"] = result
    if request.htmx:
        return render(request, "knowledge/portal/_results.html", context)
    if not query:
        context["sections"] = sections_with_articles(user=request.user)
        context["popular"] = popular_articles(user=request.user)
    return render(request, "knowledge/portal/home.html", context)


@require_GET
@remembers_visitor
def article_detail(request, slug):
    article = article_get_readable(user=request.user, slug=slug)
    counts = may_count(request)
    if counts:
        article_view_record(article=article, visitor=visitor_key(request))
    from_suggestion = request.GET.get("from") == "suggest"
    if from_suggestion and counts:
        # Opened from the new-ticket form: counts as deflected unless a ticket follows soon.
        deflection_record(
            article=article,
            kind=DeflectionKind.VIEWED,
            session_key=visitor_key(request),
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
@remembers_visitor
def article_feedback(request, slug):
    article = article_get_readable(user=request.user, slug=slug)
    form = FeedbackForm(request.POST)
    context = {"article": article, "feedback_form": form}
    if vote_over_limit(request, article):
        if not request.htmx:
            return rate_limited(request, TOO_MANY_VOTES)
        form.is_valid()
        form.add_error(None, TOO_MANY_VOTES)
    elif form.is_valid():
        try:
            feedback_record(
                article=article,
                helpful=form.cleaned_data["helpful"],
                comment=form.cleaned_data["comment"],
                user=request.user,
                session_key=visitor_key(request),
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
@remembers_visitor
def suggest(request):
    """The block beside the new-ticket form, reloaded as the requester types or picks."""
    subject = request.GET.get("subject", "")[:300]
    category = request.GET.get("category", "")
    category_id = as_id(category)
    articles = article_suggest(user=request.user, subject=subject, category_id=category_id)
    if subject.strip() and may_count(request):
        search_log(
            query=subject,
            results=len(articles),
            source="suggest",
            session_key=visitor_key(request),
        )
    context = {"articles": articles, "subject": subject}
    return render(request, "knowledge/panels/_suggestions.html", context)


@require_POST
@remembers_visitor
def deflect(request, slug):
    """ "This solved my problem": counted, and the requester goes back without a ticket."""
    article = article_get_readable(user=request.user, slug=slug)
    if vote_over_limit(request, article):
        return rate_limited(request, TOO_MANY_VOTES)
    deflection_record(
        article=article,
        kind=DeflectionKind.SOLVED,
        session_key=visitor_key(request),
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
    # Images are shown in articles, so they stream from our origin (see apps.core.downloads).
    return file_response(
        file=file.file,
        filename=file.filename,
        content_type=file.content_type,
        as_attachment=not file.is_image,
    )
