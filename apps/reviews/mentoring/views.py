"""Pages of the weekly mentor review: the leads' pairings, the sponsor's week, the tech's "My
week", and the small forms they post. Thin: services decide, selectors read."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.models import Membership, Team, User
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id
from apps.tickets.models import Comment, Ticket, reference_to_pk
from apps.tickets.views.workspace import agent_required

from . import selectors, services
from .models import MAX_TECHS
from .weeks import last_week, this_week, week_last_day, week_of, week_parse

ONE_WEEK = datetime.timedelta(days=7)


def _week(text: str) -> datetime.date:
    """The Monday a URL names (404 for what is no date, or a week not begun yet)."""
    if not text:
        return last_week()
    day = week_parse(text)
    if day is None or week_of(day) > this_week():
        raise Http404("No such week.")
    return day


def _week_nav(name: str, week: datetime.date) -> dict:
    later = week + ONE_WEEK
    return {
        "week": week,
        "last_day": week_last_day(week),
        "prev_url": reverse(f"reviews:{name}", args=[(week - ONE_WEEK).isoformat()]),
        "next_url": reverse(f"reviews:{name}", args=[later.isoformat()])
        if later <= this_week()
        else "",
        "is_last_week": week == last_week(),
    }


def _back(name: str, week_text: str, anchor: str = ""):
    """Back to the week page the form was on (the week is re-read: never an open redirect)."""
    day = week_parse(week_text or "")
    url = reverse(f"reviews:{name}", args=[week_of(day).isoformat()]) if day else None
    return redirect((url or reverse(f"reviews:{name.removesuffix('_of')}")) + anchor)


def _reviewer(request) -> User:
    if not selectors.may_review(request.user):
        raise Http404("No such page.")
    return request.user


# --- The sponsor's week ----------------------------------------------------------------------


@login_required
@require_GET
def week(request, week: str = ""):
    user = _reviewer(request)
    day = _week(week)
    if week and week != week_of(day).isoformat():
        return redirect("reviews:mentoring_week_of", week=week_of(day).isoformat())
    return render(
        request,
        "reviews/mentoring/week.html",
        {
            "nav": "mentoring",
            "pairings": selectors.review_week(user=user, week=day),
            "may_pair": user.is_lead or selectors.is_admin(user),
            **_week_nav("mentoring_week_of", day),
        },
    )


def _ticket(value) -> Ticket:
    pk = reference_to_pk(str(value or ""))
    ticket = Ticket.objects.filter(pk=pk).select_related("team").first() if pk else None
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


@login_required
@require_POST
def coach(request):
    user = _reviewer(request)
    tech = User.objects.filter(pk=as_id(request.POST.get("tech")), is_active=True).first()
    day = week_parse(request.POST.get("week", ""))
    if tech is None or day is None:
        raise Http404("No such review.")
    ticket = _ticket(request.POST.get("ticket"))
    try:
        services.entry_coach(
            actor=user,
            week=day,
            tech=tech,
            ticket=ticket,
            coaching_note=request.POST.get("coaching_note", ""),
            suggest_article=request.POST.get("suggest_article") == "on",
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Saved your note on {ticket.reference} for {tech}.")
    return _back("mentoring_week_of", request.POST.get("week"), f"#t{tech.pk}-{ticket.pk}")


@login_required
@require_POST
def kudos(request):
    user = _reviewer(request)
    comment = (
        Comment.objects.filter(pk=as_id(request.POST.get("comment")))
        .select_related("ticket__team", "ticket__assignee", "ticket__holder")
        .first()
    )
    if comment is None:
        raise Http404("No such reply.")
    try:
        kudos = services.reply_mark_kudos(actor=user, comment=comment)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        whom = f" for {kudos.agent}" if kudos.agent else ""
        messages.success(request, f"Marked as kudos{whom} on {comment.ticket.reference}.")
    return _back("mentoring_week_of", request.POST.get("week"), f"#reply-{comment.pk}")


# --- The tech's week -------------------------------------------------------------------------


@agent_required
@require_GET
def my_week(request, week: str = ""):
    day = _week(week)
    if week and week != week_of(day).isoformat():
        return redirect("reviews:mentoring_my_week_of", week=week_of(day).isoformat())
    return render(
        request,
        "reviews/mentoring/my_week.html",
        {
            "nav": "mentoring",
            "items": selectors.my_week(tech=request.user, week=day),
            "sponsors": selectors.sponsors_of(request.user),
            **_week_nav("mentoring_my_week_of", day),
        },
    )


@agent_required
@require_POST
def summarise(request):
    day = week_parse(request.POST.get("week", ""))
    if day is None:
        raise Http404("No such week.")
    ticket = _ticket(request.POST.get("ticket"))
    try:
        services.entry_summarise(
            actor=request.user,
            week=day,
            ticket=ticket,
            summary=request.POST.get("summary", ""),
            passed_on=request.POST.get("passed_on") == "on",
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Saved your summary of {ticket.reference}.")
    return _back("mentoring_my_week_of", request.POST.get("week"), f"#t{ticket.pk}")


# --- Pairings --------------------------------------------------------------------------------


def _pairable_teams(user: User):
    teams = Team.objects.filter(is_triage=False).order_by("name")
    return teams if selectors.is_admin(user) else teams.filter(pk__in=user.led_team_ids)


@login_required
@require_http_methods(["GET", "POST"])
def pairings(request):
    user = request.user
    if not (user.is_lead or selectors.is_admin(user)):
        raise Http404("No such page.")
    teams = list(_pairable_teams(user))
    if request.method == "POST":
        _pairing_save(request, {team.pk: team for team in teams})
        return redirect("reviews:mentoring_pairings")
    agents: dict[int, list[User]] = {team.pk: [] for team in teams}
    for seat in (
        Membership.objects.filter(team__in=teams, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    ):
        agents[seat.team_id].append(seat.user)
    by_team: dict[int, list] = {team.pk: [] for team in teams}
    for pairing in selectors.pairings_for_lead(user).filter(team__in=teams):
        # One select per tech: the chosen ones first, then empty ones up to MAX_TECHS.
        pairing.tech_slots = [*(t.pk for t in pairing.techs.all()), *[None] * MAX_TECHS][:MAX_TECHS]
        by_team[pairing.team_id].append(pairing)
    return render(
        request,
        "reviews/mentoring/pairings.html",
        {
            "nav": "mentoring",
            "teams": [
                {"team": team, "agents": agents[team.pk], "pairings": by_team[team.pk]}
                for team in teams
            ],
            "new_slots": [None] * MAX_TECHS,
            "max_techs": MAX_TECHS,
        },
    )


def _pairing_save(request, teams: dict[int, Team]) -> None:
    """Create or change one pairing from the form; the outcome is told as a message."""
    post = request.POST
    team = teams.get(as_id(post.get("team")))
    if team is None:
        raise Http404("No such team.")
    ids = [as_id(v) for v in [post.get("sponsor"), *post.getlist("techs")] if v]
    people = {u.pk: u for u in User.objects.filter(pk__in=[pk for pk in ids if pk])}
    sponsor = people.get(as_id(post.get("sponsor")))
    techs = [people[pk] for pk in (as_id(v) for v in post.getlist("techs") if v) if pk in people]
    try:
        pk = as_id(post.get("pairing"))
        if pk:
            pairing = selectors.pairing_list(active_only=False).filter(pk=pk, team=team).first()
            if pairing is None:
                raise Http404("No such pairing.")
            ending = post.get("action") == "end"
            services.pairing_update(
                actor=request.user,
                pairing=pairing,
                sponsor=pairing.sponsor if ending else sponsor,
                techs=list(pairing.techs.all()) if ending else techs,
                is_active=not ending,
            )
            done = "Pairing ended." if ending else f"Saved: {sponsor} mentors {_names(techs)}."
        else:
            services.pairing_create(actor=request.user, team=team, sponsor=sponsor, techs=techs)
            done = f"Paired: {sponsor} mentors {_names(techs)} in {team}."
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)


def _names(people: list[User]) -> str:
    names = [str(p) for p in people]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
