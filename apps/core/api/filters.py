"""Ordering of API lists: only by what a view declares."""

from rest_framework.filters import OrderingFilter


class DeclaredOrderingFilter(OrderingFilter):
    """``?ordering=`` by the fields a view lists in ``ordering_fields`` only; anything else (or
    any view that lists none) is ignored and the view's default ``ordering`` applies.

    DRF's own filter offers every serializer field when a view declares none — computed fields
    and relations included, which answered 500."""

    def get_valid_fields(self, queryset, view, context=None):
        declared = getattr(view, "ordering_fields", None)
        if not declared or declared == "__all__":
            return []
        return [(name, name) for name in declared if isinstance(name, str)]

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not any(str(term).lstrip("-") in ("id", "pk") for term in ordering):
            ordering = [*ordering, "pk"]  # a stable order, so pages neither repeat nor skip
        return ordering

    def get_schema_operation_parameters(self, view):
        declared = getattr(view, "ordering_fields", None)
        if not declared or declared == "__all__":
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Sort by "
                + ", ".join(declared)
                + " (a leading - reverses; comma-separated for several). Anything else is "
                "ignored.",
                "schema": {"type": "string"},
            }
        ]
