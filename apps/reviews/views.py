"""/reviews/: one page that sends each person to the reviews they take part in."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from .mentoring.selectors import may_review, my_week_count, review_week_count, sponsors_of
from .satisfaction.selectors import kudos_for, may_read_kudos, may_share
from .scoring.permissions import may_run_rounds
from .scoring.selectors import cases_to_score, rounds_for


@dataclass(frozen=True)
class Card:
    title: str
    text: str
    url: str
    count: int | None = None  # what waits for this person there
    secondary: tuple[tuple[str, str], ...] = ()  # (label, url)


def _cards(user) -> list[Card]:
    cards = []
    to_score = cases_to_score(user).filter(scored_at=None).count()
    if to_score or may_run_rounds(user) or rounds_for(user).exists():
        cards.append(
            Card(
                "Case scoring",
                "Score a sample of resolved tickets for their product and support-process "
                "weight; the results show the big rocks.",
                reverse("reviews:scoring_queue") if to_score else reverse("reviews:scoring_rounds"),
                to_score,
                (("Rounds", reverse("reviews:scoring_rounds")),)
                + (
                    (("New round", reverse("reviews:scoring_round_new")),)
                    if may_run_rounds(user)
                    else ()
                ),
            )
        )
    if sponsors_of(user):
        cards.append(
            Card(
                "My week",
                "A line on each ticket you touched that closed last week, for your mentor.",
                reverse("reviews:mentoring_my_week"),
                my_week_count(user),
            )
        )
    if may_review(user):
        cards.append(
            Card(
                "Mentor review",
                "Last week's tickets of the techs you mentor, their summaries, your coaching "
                "notes and the kudos in their threads.",
                reverse("reviews:mentoring_week"),
                review_week_count(user),
                (("Pairings", reverse("reviews:mentoring_pairings")),) if user.is_lead else (),
            )
        )
    if may_read_kudos(user):
        shared = ", to share upward" if may_share(user) else ""
        cards.append(
            Card(
                "Kudos",
                f"What requesters said in praise, per agent and team{shared}: "
                f"{kudos_for(user).count()} so far.",
                reverse("reviews:kudos_list"),
                None,
                (("CSV", reverse("reviews:kudos_csv")),),
            )
        )
    return cards


@login_required
@require_GET
def hub(request):
    if not (request.user.is_agent or request.user.is_staff):
        raise Http404("No such page.")
    return render(request, "reviews/hub.html", {"cards": _cards(request.user)})
