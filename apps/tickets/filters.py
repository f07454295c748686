"""The queue's filters, shared by the agent workspace and the API."""

import django_filters
from django.db.models import Q

from apps.accounts.models import Team, User
from apps.core.numbers import as_id, is_id

from .models import ACTIVE_STATUSES, Category, Priority, Status, Ticket, reference_to_pk

SORTS = {
    "updated": "-updated_at",
    "oldest": "created_at",
    "newest": "-created_at",
    "priority": "-priority",
}


class TicketFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label="Search")
    status = django_filters.ChoiceFilter(
        choices=[("active", "Active (new, open, pending)"), *Status.choices],
        method="filter_status",
        empty_label="Any status",
    )
    priority = django_filters.ChoiceFilter(choices=Priority.choices, empty_label="Any priority")
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), empty_label="Any category"
    )
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), empty_label="My teams")
    tier = django_filters.NumberFilter()
    assignee = django_filters.CharFilter(
        method="filter_assignee", label="Assignee (id, “me” or “none”)"
    )
    requester = django_filters.ModelChoiceFilter(queryset=User.objects.all())
    sort = django_filters.ChoiceFilter(
        choices=[(k, k.title()) for k in SORTS], method="filter_sort", empty_label="Last update"
    )

    class Meta:
        model = Ticket
        fields = ["q", "status", "priority", "category", "team", "tier", "assignee"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        pk = reference_to_pk(value)
        text = Q(subject__icontains=value) | Q(description__icontains=value)
        return queryset.filter(Q(pk=pk) | text) if pk else queryset.filter(text)

    def filter_status(self, queryset, name, value):
        if value == "active":
            return queryset.filter(status__in=ACTIVE_STATUSES)
        return queryset.filter(status=value)

    def filter_assignee(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assignee=self.request.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if is_id(value):
            return queryset.filter(assignee_id=as_id(value))
        return queryset.none()

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(SORTS[value], "-id")
