"""Pages of long ticket lists that cost what they show, however many tickets the desk holds.

- ``CappedPaginator``: counts at most ``cap`` rows (a COUNT over a ``LIMIT cap + 1`` subquery),
  so a queue of a million tickets says "1,000+" instead of counting them on every page.
- ``ticket_ids_page``: the ids of one page, read by index. An agent of several teams gets one
  read per team (each walks its team's index in the queue's order and stops after the page),
  merged by a UNION; one ``team IN (…) OR assignee = me`` condition would make PostgreSQL read
  and sort every ticket of those teams instead.
- ``KeysetPagination``: the API list's cursor pages (``?cursor=``), stable under inserts, as
  fast on the thousandth page as on the first.
"""

import base64
import json
import math
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from apps.core.numbers import as_id

COUNT_CAP = 1000


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> int:
    """How many rows, counting no further than ``cap + 1``: more than ``cap`` means "cap+"."""
    return queryset.order_by().values("pk")[: cap + 1].count()


class CappedPage(Page):
    def has_next(self) -> bool:
        if self.paginator.is_capped:
            return self.paginator.more_after
        return super().has_next()


class CappedPaginator(Paginator):
    """A paginator for lists too long to count: ``count`` stops at ``cap + 1``; past the cap,
    pages are numbered but the last one is not known (``is_capped``), and a page's rows come
    from ``fetch(offset, limit)`` when given (the ids of a queue page, read by index)."""

    def __init__(self, object_list, per_page, *, cap: int | None = None, fetch=None, count=None):
        super().__init__(object_list, per_page)
        self.cap = cap or COUNT_CAP
        self.fetch = fetch
        self._count = count
        self.more_after = False

    @cached_property
    def count(self) -> int:
        if self._count is not None:
            return min(self._count(self.cap), self.cap + 1)
        return capped_count(self.object_list, self.cap)

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        if self.is_capped:
            return math.ceil(self.cap / self.per_page)  # at least; the template says "of many"
        return super().num_pages

    def validate_number(self, number):
        if self.is_capped:
            number = as_id(number) or 0  # "²" is a digit to str.isdigit(), not a page
            if number < 1:
                raise PageNotAnInteger("That page number is not a positive whole number.")
            return min(number, 10_000)  # a bound on how far an offset may reach
        return super().validate_number(number)

    def get_page(self, number):
        """As Django's: page 1 for a page number that is none, the last for one past it."""
        try:
            number = self.validate_number(number)
        except PageNotAnInteger:
            number = 1
        except EmptyPage:
            number = self.num_pages
        return self.page(number)

    def page(self, number):
        bottom = (number - 1) * self.per_page
        if self.fetch is None:
            rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        else:
            rows = self.fetch(bottom, self.per_page + 1)
        self.more_after = len(rows) > self.per_page
        return CappedPage(rows[: self.per_page], number, self)

    def _get_page(self, *args, **kwargs):
        return CappedPage(*args, **kwargs)


# --- Reading a page of ids by index -----------------------------------------------------------


def _order_fields(queryset: QuerySet) -> list:
    return list(queryset.query.order_by) or ["-updated_at", "-id"]


def _name(item) -> str:
    if isinstance(item, str):
        return item.lstrip("-")
    expression = item.expression if isinstance(item, OrderBy) else item
    return expression.name


def ticket_ids_page(
    *, queryset: QuerySet, branches: list[Q], offset: int, limit: int, overlap: bool = False
) -> list[int]:
    """The ids of tickets ``offset`` to ``offset + limit`` of ``queryset`` in its order.

    ``branches`` split the queryset into disjoint parts each readable in order by an index
    (one per team). On PostgreSQL each part reads at most ``offset + limit`` rows; the union
    is sorted once. Elsewhere (SQLite, a single part) it is one plain query. ``overlap``: a
    ticket may be in several parts (a UNION without ALL keeps it once).
    """
    order = _order_fields(queryset)
    names = list(dict.fromkeys(["pk", *(_name(item) for item in order)]))
    base = queryset.order_by(*order)
    if len(branches) <= 1 or not connection.features.supports_slicing_ordering_in_compound:
        part = base.filter(branches[0]) if len(branches) == 1 else base
        return list(part.values_list("pk", flat=True)[offset : offset + limit])
    parts = [base.filter(branch).values_list(*names)[: offset + limit] for branch in branches]
    union = parts[0].union(*parts[1:], all=not overlap).order_by(*order)
    return [row[0] for row in union[offset : offset + limit]]


def ticket_count_capped(*, queryset: QuerySet, branches: list[Q], cap: int) -> int:
    """``capped_count`` of the queryset in one query: each part counted up to the cap by its
    own index, the parts added up (the caller caps the sum)."""
    if len(branches) <= 1 or not connection.features.supports_slicing_ordering_in_compound:
        part = queryset.filter(branches[0]) if len(branches) == 1 else queryset
        return capped_count(part, cap)
    parts = [queryset.filter(b).order_by().values("pk")[: cap + 1] for b in branches]
    return parts[0].union(*parts[1:], all=True).count()


# --- Cursor pages for the API -------------------------------------------------------------------


class KeysetPagination(BasePagination):
    """Cursor pages over the list's own order (which always ends with the id): the cursor
    holds the last row's sort values, and the next page is what sorts after them — a read of
    the index from that point, never an OFFSET. ``?page_size=`` up to 100."""

    page_size = 25
    max_page_size = 100
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self._page_size(request)
        order = _order_fields(queryset)
        if _name(order[-1]) not in ("id", "pk"):
            order.append("-id")
        queryset = queryset.order_by(*order)
        self.fields = [(_name(item), _descending(item)) for item in order]
        position = self._decode(request.query_params.get(self.cursor_query_param))
        if position is not None:
            try:
                queryset = queryset.filter(self._after(position))
            except (ValueError, TypeError, ValidationError) as error:
                raise NotFound("That cursor is not valid for this list.") from error
        rows = self._rows(queryset, view)
        self.has_next = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        self.has_previous = position is not None
        return self.page

    def _rows(self, queryset, view) -> list:
        """The page and one more row. A view with ``page_parts()`` (who may see what, as
        disjoint-or-not parts each served by an index) has the ids read part by part."""
        parts = view.page_parts() if hasattr(view, "page_parts") else None
        if not parts:
            return list(queryset[: self.page_size + 1])
        ids = ticket_ids_page(
            queryset=queryset, branches=parts, offset=0, limit=self.page_size + 1, overlap=True
        )
        found = {row.pk: row for row in _by_id(queryset, ids)}
        return [found[pk] for pk in ids if pk in found]

    def _page_size(self, request) -> int:
        value = request.query_params.get(self.page_size_query_param, "")
        size = as_id(value)
        return min(size, self.max_page_size) if size else 25

    def _after(self, values: list) -> Q:
        """Rows after ``values`` in the order: (a, b, id) > (x, y, z) as ORs of prefixes."""
        condition = Q(pk__in=[])
        for depth, (name, descending) in enumerate(self.fields):
            step = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[depth]})
            for (prefix, _), value in zip(self.fields[:depth], values, strict=False):
                step &= Q(**{prefix: value})
            condition |= step
        return condition

    def _decode(self, cursor: str | None):
        if not cursor:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
            names = [name for name, _ in self.fields]
            if data["f"] != names or len(data["v"]) != len(names):
                raise ValueError("the cursor belongs to another order")
            return [_load(value) for value in data["v"]]
        except (ValueError, KeyError, TypeError) as error:
            raise NotFound("That cursor is not valid for this list.") from error

    def _encode(self, row) -> str:
        values = [_dump(getattr(row, name)) for name, _ in self.fields]
        data = {"f": [name for name, _ in self.fields], "v": values}
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self._encode(self.page[-1]))

    def get_first_link(self):
        if not self.has_previous:
            return None
        return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)

    def get_paginated_response(self, data):
        return Response(
            {"next": self.get_next_link(), "first": self.get_first_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {**link, "description": "The next page (a cursor), null on the last."},
                "first": {**link, "description": "The first page; null on the first."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: from the previous page's `next` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": "Tickets per page (1 to 100, 25 by default).",
                "schema": {"type": "integer", "minimum": 1, "maximum": 100},
            },
        ]


def _by_id(queryset: QuerySet, ids: list[int]) -> QuerySet:
    """The rows of ``ids`` with what ``queryset`` reads alongside them (its related rows), but
    not its filters: the ids were read through those, and a search's filter repeated here
    would cost as much again (seconds, for a word with many matches)."""
    rows = queryset.model._default_manager.filter(pk__in=ids)
    rows.query.select_related = queryset.query.select_related
    return rows.prefetch_related(*queryset._prefetch_related_lookups)


def _descending(item) -> bool:
    if isinstance(item, str):
        return item.startswith("-")
    return bool(getattr(item, "descending", False))


def _dump(value):
    return {"t": value.isoformat()} if isinstance(value, datetime) else value


def _load(value):
    if isinstance(value, dict):
        moment = parse_datetime(value["t"])
        if moment is None:
            raise ValueError("not a date-time")
        return moment
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError("not a value of this order")
    return value
