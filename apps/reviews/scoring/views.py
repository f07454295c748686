"""Case scoring pages: the rounds, a new round, a round's results (and CSV), a reviewer's
"to score" queue and the case page. Everyone without a right to a page finds no such page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from apps.core.errors import ApplicationError
from apps.core.spreadsheets import csv_download
from apps.tickets.permissions import can_work

from . import selectors
from .forms import RoundForm, ScoreForm
from .permissions import may_run_rounds
from .services import case_score, round_create

PAGE = 50


def _agent(request):
    if not (request.user.is_agent or request.user.is_staff):
        raise Http404("No such page.")


@login_required
@require_GET
def round_list(request):
    _agent(request)
    return render(
        request,
        "reviews/scoring/rounds.html",
        {
            "rounds": selectors.rounds_for(request.user),
            "can_run": may_run_rounds(request.user),
            "to_score": selectors.cases_to_score(request.user).filter(scored_at=None).count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request):
    if not may_run_rounds(request.user):
        raise Http404("No such page.")
    form = RoundForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scoring_round = round_create(actor=request.user, **data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                f"{scoring_round.name}: {scoring_round.cases.count()} cases shared among "
                f"{len(data['reviewers'])} reviewer{'s' if len(data['reviewers']) > 1 else ''}.",
            )
            return redirect("reviews:scoring_round", pk=scoring_round.pk)
    return render(request, "reviews/scoring/round_new.html", {"form": form})


@login_required
@require_GET
def round_detail(request, pk):
    access = selectors.round_get_for(user=request.user, pk=pk)
    results = selectors.round_results(access.round, progress_only=not access.manages)
    for case in (*results.top, *results.severe):
        case.workable = can_work(request.user, case.ticket)
    return render(
        request,
        "reviews/scoring/round.html",
        {"results": results, "manages": access.manages, "round": access.round},
    )


@login_required
@require_GET
def round_csv(request, pk):
    access = selectors.round_get_for(user=request.user, pk=pk)
    if not access.manages:
        raise Http404("No such round.")
    stamp = timezone.localdate().isoformat()
    return csv_download(
        selectors.round_csv_rows(access.round),
        filename=f"scoring-round-{access.round.pk}-{stamp}.csv",
    )


@login_required
@require_GET
def queue(request):
    _agent(request)
    cases = selectors.cases_to_score(request.user)
    page = Paginator(cases, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/scoring/queue.html",
        {"page": page, "left": cases.filter(scored_at=None).count()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request, pk):
    detail = selectors.case_get_for(user=request.user, pk=pk)
    form = ScoreForm(request.POST or None, questions=detail.questions, answers=detail.answers)
    if request.method == "POST" and form.is_valid():
        try:
            case_score(case=detail.case, actor=request.user, answers=form.answers())
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return _after_scoring(request, detail.case)
    return render(
        request,
        "reviews/scoring/case.html",
        {
            "detail": detail,
            "case": detail.case,
            "ticket": detail.ticket,
            "comments": detail.comments,
            "ticket_files": detail.ticket_files,
            "events": detail.events,
            "form": form,
            "workable": can_work(request.user, detail.ticket),
        },
    )


def _after_scoring(request, case):
    total = case.product_score + case.process_score
    messages.success(
        request,
        f"{case.ticket.reference} scored: product {case.product_score}, "
        f"process {case.process_score} (total {total}).",
    )
    if case.reviewer_id != request.user.pk:
        return redirect("reviews:scoring_round", pk=case.round_id)
    following = selectors.case_next_for(request.user, after=case)
    if following is not None:
        return redirect("reviews:scoring_case", pk=following.pk)
    messages.info(request, "That was the last case in your queue.")
    return redirect("reviews:scoring_queue")
