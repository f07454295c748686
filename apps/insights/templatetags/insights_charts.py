"""The Insights charts for templates: ``{% bar_chart points goal=50 title="Volume" %}`` and
``{{ seconds|figure:"seconds" }}``.

Templates call what they resolve, so a drill-down is passed as a list of addresses, one per bar
or row (``href=week_links``); a function works too if it sets ``do_not_call_in_templates``.
"""

from collections.abc import Callable, Sequence

from django import template

from .. import charts

register = template.Library()


def _href(value) -> Callable[[int], str] | None:
    if not value:
        return None
    if callable(value):
        return value
    if isinstance(value, Sequence) and not isinstance(value, str):
        return lambda i: value[i] if i < len(value) else ""
    raise template.TemplateSyntaxError("href takes a list of addresses or a function of the index")


@register.simple_tag
def bar_chart(
    points, *, title, goal=None, goal_label="", unit="", highlight_over_goal=True, href=None
):
    return charts.bar_chart(
        points,
        title=title,
        goal=goal,
        goal_label=goal_label,
        unit=unit,
        highlight_over_goal=highlight_over_goal,
        href=_href(href),
    )


@register.simple_tag
def line_chart(series, *, title, unit="", compare=None, compare_label="previous period"):
    return charts.line_chart(
        series, title=title, unit=unit, compare=compare, compare_label=compare_label
    )


@register.simple_tag
def sparkline(values, *, title, unit=""):
    return charts.sparkline(values, title=title, unit=unit)


@register.simple_tag
def pareto_chart(rows, *, title, unit="", cumulative=None, href=None):
    return charts.pareto_chart(
        rows, title=title, unit=unit, cumulative=cumulative, href=_href(href)
    )


@register.simple_tag
def stacked_flow(steps, *, title):
    return charts.stacked_flow(steps, title=title)


@register.filter
def figure(value, unit=""):
    """``{{ row.median_first_reply|figure:"seconds" }}`` → "45 min"; None → "—"."""
    return charts.format_value(value, unit)
