"""Server-side SVG charts for the Insights pages: data in, escaped SVG out, coloured by app.css.

Every chart but the sparkline is laid out in a viewBox 600 units wide for text 24 units high:
on a 390 px phone, where a card leaves about 308 px, that is 12 px text. Where the chart's box
is wider, app.css writes the text smaller (a container query), so the layout, sized for the
phone, only gains air. Labels are placed by estimated widths: x labels are thinned, value labels
that would collide are left out (each bar and dot keeps its figure in a hover title, and the
page shows the table). All text is escaped, even text marked safe; a chart with drill-down
links is a named group, not an image, because ``role="img"`` would hide its links from
assistive technology."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString

EMPTY_TEXT = "No tickets in this period"
W = 600  # viewBox width
FS = 24  # font size, in viewBox units
PAD = 6
MAX_LABEL_CHARS = 28
Href = Callable[[int], str] | None
Box = tuple[float, float, float, float]  # x0, y0, x1, y1


# --- Figures as people read them ----------------------------------------------------------------


def format_value(value: float | None, unit: str = "") -> str:
    """ "45 min", "3.2 h", "2.5 d" (seconds); "83.4 %" (percent); "1,234" (count); None: "—".

    Any other unit is written after the number ("12 tickets").
    """
    value = _finite(value)
    if value is None:
        return "—"
    if unit == "seconds":
        return _duration(value)
    if unit == "percent":
        return f"{value:,.1f} %"
    if unit == "hours":
        return f"{value:,.1f} h"
    if unit == "money":
        return f"{value:,.2f} {settings.COST_CURRENCY}"
    text = f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    return text if unit in ("", "count") else f"{text} {unit}"


def _duration(seconds: float) -> str:
    sign, s = ("-" if seconds < 0 else ""), abs(seconds)
    if s < 59.5:
        return f"{sign}{s:.0f} s"
    if round(s / 60) < 60:
        return f"{sign}{round(s / 60)} min"
    if round(s / 3600, 1) < 24:
        return f"{sign}{_trim(s / 3600)} h"
    return f"{sign}{_trim(s / 86400)} d"


def _trim(x: float) -> str:
    """One decimal, none when it is zero: 3.2, 3, 1,250."""
    text = f"{x:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def _finite(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _scale(top: float, unit: str) -> tuple[float, list[tuple[float, str]]]:
    """The axis maximum and its 3-5 ticks, round in the unit people read (2 h, not 7,200)."""
    factor, suffix = 1.0, ""
    if unit == "seconds":
        factor, suffix = (
            (60, " min") if top <= 5400 else (3600, " h") if top <= 172800 else (86400, " d")
        )
    elif unit == "percent":
        suffix = " %"
    shown = top / factor if top > 0 else 1
    magnitude = 10 ** math.floor(math.log10(shown / 4))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= shown / 4 * 0.999)
    if unit == "count":
        step = max(step, 1)
    intervals = max(2, math.ceil(shown / step - 1e-9))
    ticks = [
        (i * step * factor, _trim(i * step) + (suffix if i else "")) for i in range(intervals + 1)
    ]
    return intervals * step * factor, ticks


# --- Text and SVG pieces -------------------------------------------------------------------------

# Advance widths in em, from DejaVu Sans (Linux's system-ui, among the widest): text measured
# this way fits the narrower fonts of other systems too.
_EM = {
    **dict.fromkeys("ijl'|", 0.28),
    **dict.fromkeys(" .,:;!ftI()[]", 0.36),
    **dict.fromkeys("r-", 0.42),
    **dict.fromkeys("0123456789", 0.64),
    **dict.fromkeys("mwMW%@—…<>=+~→↩", 0.92),
}


def text_width(text: str, bold: bool = False) -> float:
    """Estimated width of ``text`` in viewBox units: generous, never exact."""
    em = sum(_EM.get(ch, 0.7 if ch.isupper() else 0.6) for ch in text)
    return em * FS * (1.1 if bold else 1)


def _truncate(text: str, width: float, limit: int = MAX_LABEL_CHARS) -> str:
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    while len(text) > 2 and text_width(text) > width:
        text = text[:-2].rstrip() + "…"
    return text


def _n(x: float) -> str:
    text = f"{x:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


class _Markup(SafeString):
    """SVG this module built. Any other text going into an element is escaped, even text
    marked safe: a label is text here, never markup."""


def _tag(name: str, content: str | None = None, **attrs) -> SafeString:
    """One element; attribute values are escaped, and content unless this module built it."""
    parts = [name]
    for key, value in attrs.items():
        if value is not None:
            value = _n(value) if isinstance(value, float | int) else escape(value)
            parts.append(f'{key.rstrip("_").replace("_", "-")}="{value}"')
    opening = " ".join(parts)
    if content is None:
        return _Markup(f"<{opening}/>")
    inner = content if isinstance(content, _Markup) else escape(content)
    return _Markup(f"<{opening}>{inner}</{name}>")


def _join(pieces) -> SafeString:
    """Pieces built here, or escaped: nothing else is passed in."""
    return _Markup("".join(pieces))


def _text(x, y, text, css, anchor="middle", title: str | None = None) -> SafeString:
    inner = _join([_tag("title", title), escape(text)]) if title else text
    return _tag("text", inner, x=x, y=y, class_=css, text_anchor=anchor)


def _name(x_end: float, baseline: float, text: str, css: str) -> tuple[SafeString, Box]:
    """A line's name, right-aligned at ``x_end`` on a card-coloured tag over lines and bars.

    The tag is measured in em, so it shrinks with the text where app.css writes it smaller.
    """
    em = text_width(text, bold=True) / FS + 0.5
    ground = _tag(
        "rect",
        x=f"-{em:.2f}em",
        y="-0.9em",
        width=f"{em:.2f}em",
        height="1.2em",
        rx=3,
        class_="chart-tag",
    )
    label = _tag("text", text, x="-0.25em", class_=css, text_anchor="end")
    group = _tag("g", _join([ground, label]), transform=f"translate({_n(x_end)} {_n(baseline)})")
    return group, _name_box(x_end, baseline, text)


def _name_box(x_end: float, baseline: float, text: str) -> Box:
    """Where ``_name`` draws its tag, at the phone's text size (the largest)."""
    return (
        x_end - text_width(text, bold=True) - FS / 2,
        baseline - 0.9 * FS,
        x_end,
        baseline + 0.3 * FS,
    )


def _svg(body, *, title: str, desc: str, height: float, width: float = W, css="chart", links=False):
    return _tag(
        "svg",
        _join([_tag("title", title), *body]),
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {_n(width)} {_n(height)}",
        width="100%",
        class_=css,
        role="group" if links else "img",
        aria_label=f"{title}. {desc}",
        font_size=FS if css == "chart" else None,
    )


def _empty(
    title: str, *, width: float = W, height: float = 64, fs: float = FS, css="chart"
) -> SafeString:
    text = _tag(
        "text",
        EMPTY_TEXT,
        x=width / 2,
        y=height / 2 + fs * 0.35,
        class_="chart-empty",
        text_anchor="middle",
        font_size=fs,
    )
    return _svg([text], title=title, desc=EMPTY_TEXT + ".", height=height, width=width, css=css)


def _link(href: Href, i: int) -> str | None:
    """The drill-down address for item ``i``; only relative or http(s) addresses are linked."""
    url = str(href(i) or "") if href is not None else ""
    return url if url and urlsplit(url).scheme in ("", "http", "https") else None


def _linked(url: str | None, name: str, hit: Box, pieces) -> SafeString:
    """``pieces``, or a link around them and a transparent target the size of ``hit``."""
    if url is None:
        return _join(pieces)
    x0, y0, x1, y1 = hit
    target = _tag(
        "rect", x=x0, y=y0, width=x1 - x0, height=y1 - y0, class_="chart-hit", fill="transparent"
    )
    # The name is the link's own <title> (also its tooltip), not aria-label: the pieces' titles
    # count as the link's text, and a label that does not contain its text misleads speech input.
    return _tag("a", _join([_tag("title", name), target, *pieces]), href=url)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _text_box(x: float, baseline: float, text: str, anchor="middle", bold=False) -> Box:
    w = text_width(text, bold=bold) + 6
    x0 = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
    return (x0, baseline - FS * 0.8, x0 + w, baseline + FS * 0.25)


def _y_axis(ticks, y_of, left: float, right: float) -> list[SafeString]:
    pieces = []
    for value, label in ticks:
        y = y_of(value)
        pieces.append(
            _tag(
                "line",
                x1=left,
                x2=right,
                y1=y,
                y2=y,
                class_="chart-grid" if value else "chart-baseline",
            )
        )
        pieces.append(_text(left - PAD, y + FS * 0.35, label, "chart-axis", "end"))
    return pieces


def _x_labels(
    labels: Sequence[str], xs: Sequence[float], baseline: float, most: int = 8
) -> list[SafeString]:
    """Every k-th label counted back from the last, so the latest period is always named. Kept
    inside the chart, a label may push its left neighbour over by up to half its width; a
    neighbour that would have to move further is left out."""
    n = len(labels)
    pitch = (xs[-1] - xs[0]) / (n - 1) if n > 1 else W
    k = max(1, math.ceil((max(map(text_width, labels)) + 2 * PAD) / pitch), math.ceil(n / most))
    pieces, edge = [], W + PAD
    for i in range(n - 1, -1, -k):
        w = text_width(labels[i])
        x = min(max(xs[i], w / 2), W - w / 2, edge - PAD - w / 2)
        if x >= w / 2 and xs[i] - x <= w / 2:
            pieces.append(_text(x, baseline, labels[i], "chart-label chart-x"))
            edge = x - w / 2
    return pieces[::-1]


def _plot_scale(values: Sequence[float | None], unit: str, goal: float | None = None):
    """Axis top, ticks, and the left margin their labels need."""
    top, ticks = _scale(max([v for v in values if v is not None] + [goal or 0, 0]), unit)
    return top, ticks, max(text_width(label) for _, label in ticks) + 2 * PAD


def _points(values: Sequence[float | None]) -> tuple[list[str], list[float | None]]:
    return [str(label) for label, _ in values], [_finite(v) for _, v in values]


# --- Bars ----------------------------------------------------------------------------------------


def bar_chart(
    points: list[tuple[str, float]],
    *,
    goal: float | None = None,
    goal_label: str = "",
    unit: str = "",
    title: str,
    highlight_over_goal: bool = True,
    href: Href = None,
) -> SafeString:
    """Vertical bars (weekly volume): a dashed goal line named at its right end, bars over the
    goal in the warning colour, values above the bars (all that fit when there are at most 16,
    else the last and the highest), thinned x labels, 3-5 round ticks. ``href(i)`` makes bar
    ``i`` a link to its tickets.
    """
    labels, values = _points(points)
    if not any(v is not None for v in values):
        return _empty(title)
    goal = _finite(goal)
    n, height = len(values), 320
    top, ticks, left = _plot_scale(values, unit, goal)
    y0, y1, right = FS + 14, height - FS - 16, W - 2
    pitch = (right - left) / n
    bar_w = pitch * (0.72 if n <= 16 else 0.8)
    xs = [left + pitch * (i + 0.5) for i in range(n)]
    texts = [format_value(v, unit) for v in values]

    def y_of(v: float) -> float:
        return y1 - (y1 - y0) * max(v, 0) / top

    over = [highlight_over_goal and None not in (goal, v) and v > goal for v in values]
    bar_boxes = {
        i: (xs[i] - bar_w / 2, y_of(v), xs[i] + bar_w / 2, y1)
        for i, v in enumerate(values)
        if v is not None
    }
    bars = []
    for i in range(n):
        name = f"{labels[i]}: {texts[i]}"
        pieces = []
        if i in bar_boxes:
            x0, by, x1, _ = bar_boxes[i]
            css = "chart-bar over" if over[i] else "chart-bar"
            pieces.append(
                _tag(
                    "rect",
                    _tag("title", name),
                    x=x0,
                    y=by,
                    width=x1 - x0,
                    height=max(y1 - by, 0.5),
                    class_=css,
                )
            )
        hit = (xs[i] - pitch / 2, y0 - FS, xs[i] + pitch / 2, y1)
        bars.append(_linked(_link(href, i), name, hit, pieces))

    # Values, most telling first: the last, the highest, then right to left.
    present = list(bar_boxes)
    last, highest = present[-1], max(present, key=lambda i: values[i])
    order = list(dict.fromkeys([last, highest, *(reversed(present) if n <= 16 else [])]))
    value_boxes = {i: _text_box(xs[i], bar_boxes[i][1] - PAD, texts[i], bold=True) for i in order}
    annotations, taken = [], []
    if goal is not None:
        name = goal_label or f"Goal {format_value(goal, unit)}"
        weights = dict.fromkeys(order, 1) | {highest: 10, last: 100}
        frame = (left, right, y1)
        annotations, taken = _goal(name, y_of(goal), frame, value_boxes, bar_boxes, weights)
    for i in order:
        box = value_boxes[i]
        if box[1] >= 0 and not any(_overlaps(box, t) for t in taken):
            taken.append(box)
            annotations.append(_text(xs[i], bar_boxes[i][1] - PAD, texts[i], "chart-value"))

    desc = f"{n} bars, {labels[0]} to {labels[-1]}; highest {labels[highest]}: {texts[highest]}"
    desc += f"; latest {labels[last]}: {texts[last]}"
    if goal is not None:
        desc += f"; goal {format_value(goal, unit)}"
        desc += f", {sum(over)} over it" if highlight_over_goal else ""
    body = [
        *_y_axis(ticks, y_of, left, right),
        *bars,
        *annotations,
        *_x_labels(labels, xs, y1 + FS + 4),
    ]
    return _svg(body, title=title, desc=desc + ".", height=height, links=href is not None)


def _goal(text, gy, frame, value_boxes, bar_boxes, weights) -> tuple[list[SafeString], list[Box]]:
    """The dashed goal line and its name at the right end: just above or below the line, or up
    to a line's height further, whichever hides the least weight of values, covers fewest bars
    and strays least. Returns the pieces and the space the name takes."""
    left, right, bottom = frame
    line = _tag("line", x1=left, x2=right, y1=gy, y2=gy, class_="chart-goal")
    options = []
    for step in (0, 1, 2):
        for baseline in (gy - 0.3 * FS - 2 - step * FS / 2, gy + 0.9 * FS + 2 + step * FS / 2):
            box = _name_box(right, baseline, text)
            if box[1] >= 0 and box[3] <= bottom:
                cost = step + sum(_overlaps(box, b) for b in bar_boxes.values())
                cost += sum(weights[i] for i, b in value_boxes.items() if _overlaps(box, b))
                options.append((cost, step, baseline))
    if not options:
        return [line], []
    label, box = _name(right, min(options)[2], text, "chart-goal-label")
    return [line, label], [box]


# --- Lines ---------------------------------------------------------------------------------------


def _path(points: Sequence[tuple[float, float] | None]) -> str:
    """One path, broken where a value is missing."""
    commands, pen_down = [], False
    for point in points:
        if point is not None:
            commands.append(f"{'L' if pen_down else 'M'}{_n(point[0])} {_n(point[1])}")
        pen_down = point is not None
    return " ".join(commands)


def _last(values: Sequence[float | None]) -> int | None:
    return next((i for i in range(len(values) - 1, -1, -1) if values[i] is not None), None)


def line_chart(
    series: list[tuple[str, float | None]],
    *,
    title: str,
    unit: str = "",
    compare: list[float | None] | None = None,
    compare_label: str = "previous period",
) -> SafeString:
    """A line with dots (None leaves a gap) and its last value written at its end; ``compare``,
    as long as ``series``, is a dashed line valued at its end and named beside it.
    """
    labels, values = _points(series)
    if not any(v is not None for v in values):
        return _empty(title)
    n, height = len(values), 300
    compare = ([_finite(v) for v in compare][:n] + [None] * n)[:n] if compare else [None] * n
    top, ticks, left = _plot_scale([*values, *compare], unit)
    last, c_last = _last(values), _last(compare)
    ends = [(values[last], "chart-value")] + (
        [(compare[c_last], "chart-value chart-compare-value")] if c_last is not None else []
    )
    right = W - max(text_width(format_value(v, unit), bold=True) for v, _ in ends) - 2 * PAD
    y0, y1 = FS, height - FS - 16
    xs = [left + PAD + (right - left - 2 * PAD) * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]

    def y_of(v: float) -> float:
        return y1 - (y1 - y0) * max(v, 0) / top

    def line(vs):
        return [(xs[i], y_of(v)) if v is not None else None for i, v in enumerate(vs)]

    points = line(values)
    body = [*_y_axis(ticks, y_of, left, right)]
    if c_last is not None:
        body.append(_tag("path", d=_path(line(compare)), class_="chart-compare", fill="none"))
    body.append(_tag("path", d=_path(points), class_="chart-line", fill="none"))
    for i, point in enumerate(points):
        if point is not None:
            tip = _tag("title", f"{labels[i]}: {format_value(values[i], unit)}")
            body.append(
                _tag(
                    "circle",
                    tip,
                    cx=point[0],
                    cy=point[1],
                    r=3.5 if n <= 31 else 2.2,
                    class_="chart-dot",
                )
            )

    # End values in the right margin, pushed apart when the two lines end close together.
    ys = [y_of(v) for v, _ in ends]
    if len(ys) == 2 and abs(ys[0] - ys[1]) < FS:
        mid, sign = (ys[0] + ys[1]) / 2, (1 if ys[0] >= ys[1] else -1)
        ys = [mid + sign * FS / 2, mid - sign * FS / 2]
    for y, (v, css) in zip(ys, ends, strict=True):
        body.append(_text(right + PAD, y + FS * 0.35, format_value(v, unit), css, "start"))
    if c_last is not None:
        # The compare line's name at its end, on the side away from the main line.
        cy = y_of(compare[c_last])
        below = (cy >= y_of(values[last]) and cy + FS + 4 <= y1) or cy - FS - 4 < y0
        body.append(
            _name(
                xs[c_last],
                cy + FS + 4 if below else cy - PAD - 4,
                compare_label,
                "chart-compare-label",
            )[0]
        )
    body.extend(_x_labels(labels, xs, y1 + FS + 4))

    desc = f"{n} points, {labels[0]} to {labels[-1]}; latest {labels[last]}: {format_value(values[last], unit)}"
    if c_last is not None:
        desc += f"; {compare_label}: {format_value(compare[c_last], unit)}"
    return _svg(body, title=title, desc=desc + ".", height=height)


def sparkline(values: list[float | None], *, title: str, unit: str = "") -> SafeString:
    """A tiny trend for a KPI card (120 x 28): no axes, the last point marked."""
    values = [_finite(v) for v in values]
    if not any(v is not None for v in values):
        return _empty(title, width=120, height=28, fs=8.5, css="chart-spark")
    present = [v for v in values if v is not None]
    low, high, n, pad = min(present), max(present), len(values), 3

    def point(i, v):
        x = pad + (120 - 2 * pad) * (i / (n - 1) if n > 1 else 0.5)
        return (x, 28 - pad - (28 - 2 * pad) * ((v - low) / (high - low) if high > low else 0.5))

    points = [point(i, v) if v is not None else None for i, v in enumerate(values)]
    last = _last(values)
    body = [
        _tag("path", d=_path(points), class_="chart-line", fill="none"),
        _tag("circle", cx=points[last][0], cy=points[last][1], r=2.4, class_="chart-dot"),
    ]
    first = next(v for v in values if v is not None)
    desc = (
        f"{n} periods, from {format_value(first, unit)} to {format_value(values[last], unit)}; "
        f"lowest {format_value(low, unit)}, highest {format_value(high, unit)}."
    )
    return _svg(body, title=title, desc=desc, height=28, width=120, css="chart-spark")


# --- Pareto --------------------------------------------------------------------------------------


def _share(share: float) -> str:
    """Whole per cents, and 100 % only when it is all of it."""
    return "100 %" if share >= 99.95 else f"{min(round(share), 99)} %"


def pareto_chart(
    rows: list[tuple[str, float]],
    *,
    title: str,
    unit: str = "",
    cumulative: list[float] | None = None,
    href: Href = None,
) -> SafeString:
    """Horizontal bars in the order given (largest first), named on the left and valued at their
    end; the cumulative share as a line over them with its per cent in a column on the right,
    and a guide at 80 %. ``cumulative`` (0-100) defaults to the running share of these rows.
    Labels are cut at 28 characters, or sooner to keep their column within 45 % of the width;
    the full text is in the label's title.
    """
    labels, values = _points(rows)
    values = [max(v or 0, 0) for v in values]
    if sum(values) <= 0:
        return _empty(title)
    n, total = len(values), sum(values)
    if cumulative is None:
        cumulative = [100 * sum(values[: i + 1]) / total for i in range(n)]
    shares = [min(max(_finite(c) or 0, 0), 100) for c in cumulative][:n]
    shares += [shares[-1] if shares else 0] * (n - len(shares))

    row_h, top_m = FS * 1.5, FS + 12
    bottom = top_m + n * row_h
    label_w = min(max(text_width(_truncate(label, W)) for label in labels), W * 0.45)
    x0, x1 = label_w + 2 * PAD, W - text_width("100 %", bold=True) - 3 * PAD
    texts = [format_value(v, unit) for v in values]
    bar_max = x1 - x0 - max(text_width(t, bold=True) for t in texts) - 2 * PAD

    def cx(share: float) -> float:
        return x0 + (x1 - x0) * share / 100

    rows_svg, values_svg = [], []
    for i, v in enumerate(values):
        mid, length = top_m + row_h * (i + 0.5), bar_max * v / max(values)
        baseline = mid + FS * 0.35
        short = _truncate(labels[i], label_w)
        whole = labels[i] if short != labels[i] else None
        name = f"{labels[i]}: {texts[i]}, {_share(shares[i])} cumulative"
        bar = _tag(
            "rect",
            _tag("title", name),
            x=x0,
            y=mid - row_h * 0.31,
            width=max(length, 1),
            height=row_h * 0.62,
            class_="chart-bar",
        )
        pieces = [_text(x0 - PAD, baseline, short, "chart-label", "end", title=whole), bar]
        row = (0, mid - row_h / 2, W, mid + row_h / 2)
        rows_svg.append(_linked(_link(href, i), name, row, pieces))
        values_svg.append(_text(x0 + length + PAD, baseline, texts[i], "chart-value", "start"))
        values_svg.append(_text(W - PAD, baseline, _share(shares[i]), "chart-cum-value", "end"))

    cum = [(cx(s), top_m + row_h * (i + 0.5)) for i, s in enumerate(shares)]
    guide = [
        _tag("line", x1=x1 + PAD, x2=x1 + PAD, y1=top_m - 4, y2=bottom + 4, class_="chart-grid"),
        _text(W - PAD, FS, "Cumulative", "chart-cum-label", "end"),
        _tag("line", x1=cx(80), x2=cx(80), y1=top_m - 4, y2=bottom + 4, class_="chart-guide"),
        _text(cx(80), bottom + FS + 4, "80 %", "chart-guide-label"),
        _tag("path", d=_path(cum), class_="chart-cum", fill="none"),
        *(_tag("circle", cx=x, cy=y, r=3, class_="chart-cum-dot") for x, y in cum),
    ]
    desc = f"{n} rows, largest {labels[0]}: {texts[0]}"
    reach = next((i for i, s in enumerate(shares) if s >= 80), None)
    if reach is not None:
        desc += f"; the first {reach + 1} make {_share(shares[reach])} of the total"
    height = bottom + FS + 12
    return _svg(
        [*rows_svg, *guide, *values_svg],
        title=title,
        desc=desc + ".",
        height=height,
        links=href is not None,
    )


# --- Flow ----------------------------------------------------------------------------------------


def _wrap(text: str, width: float, lines: int = 2) -> list[str]:
    """Words into at most ``lines`` lines of ``width``; what does not fit ends in "…"."""
    out: list[str] = []
    for word in text.split():
        if out and text_width(f"{out[-1]} {word}") <= width:
            out[-1] = f"{out[-1]} {word}"
        elif len(out) < lines:
            out.append(word)
        else:
            out[-1] += " " + word
            break
    return [_truncate(line, width, limit=len(line)) for line in out]


def stacked_flow(steps: list[tuple[str, int]], *, title: str) -> SafeString:
    """Steps left to right (Tier 1, → Tier 2, …), one column each: a box as wide as the step's
    count is against the largest, joined to the next, with the count and name below it.
    """
    labels, counts = _points(steps)
    counts = [max(c or 0, 0) for c in counts]
    if sum(counts) <= 0:
        return _empty(title)
    n, box_y, box_h = len(counts), 4, 40
    col = W / n
    widths = [max(4, (col - 2 * PAD) * c / max(counts)) for c in counts]
    mid_y = box_y + box_h / 2
    body = []
    for i in range(n):
        centre = col * (i + 0.5)
        if i:  # the join from the previous box
            body.append(
                _tag(
                    "line",
                    x1=col * (i - 0.5) + widths[i - 1] / 2,
                    x2=centre - widths[i] / 2,
                    y1=mid_y,
                    y2=mid_y,
                    class_="chart-leader",
                )
            )
        text = format_value(counts[i], "count")
        body.append(
            _tag(
                "rect",
                _tag("title", f"{labels[i]}: {text}"),
                x=centre - widths[i] / 2,
                y=box_y,
                width=widths[i],
                height=box_h,
                rx=3,
                class_="chart-flow-box",
            )
        )
        # Count and name as one text, lines spaced in em so they close up where the text is
        # written smaller.
        lines = _wrap(labels[i], col - PAD)
        spans = [_tag("tspan", text, x=centre, dy="1.2em", class_="chart-value")]
        spans += [_tag("tspan", line, x=centre, dy="1.2em") for line in lines]
        if " ".join(lines) != labels[i]:
            spans.insert(0, _tag("title", labels[i]))
        body.append(
            _tag(
                "text",
                _join(spans),
                y=box_y + box_h + 2,
                class_="chart-label",
                text_anchor="middle",
            )
        )
    desc = ", ".join(
        f"{label}: {format_value(c, 'count')}" for label, c in zip(labels, counts, strict=True)
    )
    return _svg(body, title=title, desc=desc + ".", height=box_y + box_h + 2 + FS * 1.2 * 3 + 8)
