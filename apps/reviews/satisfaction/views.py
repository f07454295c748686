"""Satisfaction pages: the e-mailed rating link (no sign-in), the portal's rating, the agents'
panel, and the kudos page with its CSV and "share upward"."""

import csv
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.errors import ApplicationError
from apps.tickets.permissions import is_requester
from apps.tickets.selectors import ticket_get

from . import selectors
from .exports import kudos_rows
from .forms import KudosFilterForm, RatingForm, ShareForm
from .links import rating_link_read
from .models import Via
from .services import kudos_share, rating_open_until, rating_submit

# --- The e-mailed link --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def rating_link(request, token):
    """GET shows the choice the link made, ready to send (mail scanners open links: a GET never
    rates); POST, authorised by the link alone, rates or changes the rating."""
    try:
        target = rating_link_read(token=token)
    except ApplicationError as error:
        return _link_refused(request, error)
    ticket, person = target.ticket, target.person
    rating = selectors.rating_of(ticket)
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                rating_submit(
                    ticket=ticket,
                    person=person,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                    via=Via.EMAIL,
                )
            except ApplicationError as error:
                if error.code == "expired":
                    return _link_refused(request, error)
                form.add_service_error(error)
            else:
                # The page itself thanks them (and offers to add a comment).
                return redirect(reverse("reviews:rating_link", args=[token]) + "?saved=1")
    else:
        # The link's choice, unless the page comes back from saving: then what was saved.
        saved = rating is not None and (request.GET.get("saved") or not target.score)
        initial = {"score": rating.score if saved else target.score}
        initial["comment"] = rating.comment if rating else ""
        form = RatingForm(initial=initial)
    context = {
        "ticket": ticket,
        "person": person,
        "rating": rating,
        "form": form,
        "until": rating_open_until(ticket),
        # The script sends the link's choice once, so a person's click on "Good" in the e-mail
        # is the whole job; a scanner that does not run scripts only reads the page.
        "autosubmit": request.method == "GET" and rating is None and bool(target.score),
    }
    return render(
        request,
        "reviews/satisfaction/rate.html",
        context,
        status=400 if form.errors else 200,
    )


def _link_refused(request, error: ApplicationError):
    if error.code == "expired":
        return render(
            request, "reviews/satisfaction/link_expired.html", {"error": error.message}, status=410
        )
    return render(
        request, "reviews/satisfaction/link_invalid.html", {"error": error.message}, status=400
    )


# --- The portal -----------------------------------------------------------------------------


@login_required
@require_POST
def rating_portal(request, reference):
    """The requester's own ticket page: rate it, or change the rating."""
    ticket = ticket_get(user=request.user, key=reference)
    if not is_requester(request.user, ticket):
        raise Http404("No such ticket.")
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            rating_submit(
                ticket=ticket,
                person=request.user,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                via=Via.PORTAL,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Thank you, your rating is recorded.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(reverse("portal:ticket", args=[ticket.reference]) + "#panel-satisfaction")


def portal_panel_context(request, ticket) -> dict:
    """Beside the requester's resolved ticket: "How did we do?" while it may be rated."""
    until = rating_open_until(ticket) if ticket is not None else None
    if until is None:
        return {"hidden": True}
    rating = selectors.rating_of(ticket)
    open_ = timezone.now() <= until
    if rating is None and not open_:
        return {"hidden": True}
    initial = {"score": rating.score, "comment": rating.comment} if rating else {}
    # Not "form": the ticket page's own reply form goes by that name.
    form = RatingForm(initial=initial)
    return {"rating": rating, "until": until, "open": open_, "rating_form": form}


def agent_panel_context(request, ticket) -> dict:
    """On the agents' ticket page: what the requester said, once they rated it."""
    if ticket is None:
        return {"hidden": True}
    return {"rating": selectors.rating_of(ticket)}


# --- Kudos ----------------------------------------------------------------------------------


def _kudos_reader(request):
    if not selectors.may_read_kudos(request.user):
        raise Http404("No such page.")
    return request.user


@dataclass(frozen=True)
class _Filtered:
    form: KudosFilterForm
    kudos: QuerySet
    query: str  # the filters as a query string, for the CSV link and after sharing
    period: str


def _filtered(request) -> _Filtered:
    teams, agents = selectors.kudos_filter_choices(request.user)
    form = KudosFilterForm(request.GET or None, teams=teams, agents=agents)
    values = form.cleaned_data if form.is_valid() else {}
    period = values.get("period") or selectors.DEFAULT_PERIOD
    kudos = selectors.kudos_filtered(
        user=request.user,
        team_id=values.get("team"),
        agent_id=values.get("agent"),
        period=period,
    )
    query = {k: v for k, v in {**values, "period": period}.items() if v}
    return _Filtered(form, kudos, urlencode(query), period)


@login_required
@require_GET
def kudos_list(request):
    user = _kudos_reader(request)
    return _kudos_page(request, user, _filtered(request), ShareForm(**_share_choices(user)))


def _share_choices(user) -> dict:
    return {"kudos": selectors.kudos_for(user), "managers": selectors.share_candidates()}


def _kudos_page(request, user, filtered: _Filtered, share_form, status=200):
    groups = selectors.kudos_by_agent(filtered.kudos)
    context = {
        "filter_form": filtered.form,
        "groups": groups,
        "total": sum(g.count for g in groups),
        "query": filtered.query,
        "period_label": selectors.PERIODS[filtered.period][0],
        "may_share": selectors.may_share(user),
        "share_form": share_form,
        "managers": list(share_form.fields["managers"].queryset),
        "chosen_kudos": {str(v) for v in share_form.data.getlist("kudos")}
        if share_form.is_bound
        else set(),
        "chosen_managers": {str(v) for v in share_form.data.getlist("managers")}
        if share_form.is_bound
        else set(),
        "shares": selectors.shares_for(user),
        "nav": "kudos",
    }
    return render(request, "reviews/satisfaction/kudos.html", context, status=status)


@login_required
@require_GET
def kudos_csv(request):
    _kudos_reader(request)
    kudos = _filtered(request).kudos
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="kudos-{stamp}.csv"'
    csv.writer(response).writerows(kudos_rows(kudos))
    return response


@login_required
@require_POST
def kudos_share_view(request):
    user = _kudos_reader(request)
    if not selectors.may_share(user):
        raise PermissionDenied("Only a team lead can share kudos.")
    share_form = ShareForm(request.POST, **_share_choices(user))
    if share_form.is_valid():
        found, missing = selectors.recipients_by_address(share_form.cleaned_data["addresses"])
        if missing:
            share_form.add_error("addresses", f"Nobody here has the address {', '.join(missing)}.")
        else:
            people = {p.pk: p for p in [*share_form.cleaned_data["managers"], *found]}
            try:
                share = kudos_share(
                    actor=user,
                    kudos=share_form.cleaned_data["kudos"],
                    recipients=people.values(),
                    message=share_form.cleaned_data["message"],
                )
            except ApplicationError as error:
                share_form.add_service_error(error)
            else:
                names = ", ".join(p.get_full_name() for p in share.recipients.all())
                count = share.kudos.count()
                messages.success(request, f"{count} kudos sent to {names}.")
                return redirect(reverse("reviews:kudos_list") + "?" + request.GET.urlencode())
    return _kudos_page(request, user, _filtered(request), share_form, status=400)
