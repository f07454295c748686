"""Helpers the portal and workspace views share: extension panels and pagination."""

from django.core.paginator import Page, Paginator
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .. import extensions


def panels_html(request, audience: str, ticket=None) -> list[dict]:
    """Render the panels feature apps registered for this audience, each with its own context
    (its function's dict, plus ``ticket`` and ``request``)."""
    rendered = []
    for panel in extensions.panels_for(audience):
        context = {"ticket": ticket, **(panel.context(request, ticket) or {})}
        html = render_to_string(panel.template, context, request=request)
        if html.strip():
            # Reviewed (B308, B703): sanitised or template-escaped HTML.
            rendered.append({"name": panel.name, "html": mark_safe(html)})  # nosec B308 B703
    return rendered


def reply_options_html(request, ticket) -> list:
    """Render what feature apps add to the agent's reply box (a macro picker)."""
    rendered = []
    for option in extensions.reply_options():
        context = {"ticket": ticket, **(option.context(request, ticket) or {})}
        html = render_to_string(option.template, context, request=request)
        # Reviewed (B308, B703): template-escaped HTML.
        rendered.append(mark_safe(html))  # nosec B308 B703
    return rendered


def paginate(request, queryset, per_page: int) -> Page:
    """One page of a queryset; a page number out of range gives the last page, not an error."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without(request, *names: str) -> str:
    """The current query string minus some parameters, for links that set them again."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()
