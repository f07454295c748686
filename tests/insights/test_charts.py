"""The Insights charts: well-formed, escaped SVG that names what it draws, from data alone."""

import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString, mark_safe

from apps.insights.charts import (
    EMPTY_TEXT,
    bar_chart,
    format_value,
    line_chart,
    pareto_chart,
    sparkline,
    stacked_flow,
    text_width,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
HOSTILE = '<script>alert("x")</script> & <b>'
WEEKS = [
    (f"{d} Mar", v)
    for d, v in zip(range(1, 13), [42, 47, 39, 55, 61, 48, 44, 52, 49, 58, 63, 51], strict=True)
]


def parse(svg) -> ET.Element:
    assert isinstance(svg, SafeString)
    root = ET.fromstring(str(svg))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("width") == "100%"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox"))
    assert root.get("role") in ("img", "group")
    assert root.get("aria-label")
    assert root.find("svg:title", NS).text
    return root


def by_class(root: ET.Element, css: str) -> list[ET.Element]:
    return [el for el in root.iter() if css in (el.get("class") or "").split()]


def texts(root: ET.Element, css: str) -> list[str]:
    return ["".join(el.itertext()) for el in by_class(root, css)]


ALL_CHARTS = {
    "bar": lambda label: bar_chart([(label, 3), ("b", 5)], goal=4, goal_label=label, title=label, href=lambda i: f"/t/?q={i}"),
    "line": lambda label: line_chart([(label, 3), ("b", None), ("c", 4)], title=label, compare=[1, 2, 3], compare_label=label),
    "spark": lambda label: sparkline([1, None, 3], title=label),
    "pareto": lambda label: pareto_chart([(label, 5), ("b", 3)], title=label, href=lambda i: "/t/"),
    "flow": lambda label: stacked_flow([(label, 500), ("→ Tier 2", 120)], title=label),
}  # fmt: skip


@pytest.mark.parametrize("kind", ALL_CHARTS)
def test_every_chart_is_well_formed_and_escapes_what_it_is_given(kind):
    svg = ALL_CHARTS[kind](HOSTILE)

    root = parse(svg)
    assert "<script" not in svg
    assert "<b>" not in svg
    assert HOSTILE in root.get("aria-label")
    assert root.find("svg:title", NS).text == HOSTILE


def test_text_marked_safe_is_still_escaped_a_label_is_never_markup():
    label = mark_safe('<a href="javascript:x()">Printers</a>')
    svg = bar_chart([(label, 3)], title=label, goal=1, goal_label=label)

    root = parse(svg)
    assert "<a " not in svg
    assert texts(root, "chart-x") == [str(label)]


def test_bars_over_the_goal_are_marked_and_the_goal_is_named_at_its_line():
    root = parse(bar_chart(WEEKS, goal=50, goal_label="Goal 50 a week", title="Tickets per week"))

    bars = by_class(root, "chart-bar")
    over = [bar for bar in bars if "over" in bar.get("class").split()]
    assert len(bars) == 12
    assert len(over) == sum(v > 50 for _, v in WEEKS) == 6
    assert len(by_class(root, "chart-goal")) == 1
    assert texts(root, "chart-goal-label") == ["Goal 50 a week"]
    assert "6 over it" in root.get("aria-label")


def test_over_goal_highlighting_can_be_switched_off():
    root = parse(bar_chart(WEEKS, goal=50, title="t", highlight_over_goal=False))

    assert not [bar for bar in by_class(root, "chart-bar") if "over" in bar.get("class")]
    assert texts(root, "chart-goal-label") == ["Goal 50"]


def test_few_bars_show_their_values_and_the_axis_has_three_to_five_round_ticks():
    root = parse(bar_chart(WEEKS, title="t"))

    values = texts(root, "chart-value")
    assert "51" in values
    assert "63" in values
    assert len(values) >= 8
    assert texts(root, "chart-axis") == ["0", "20", "40", "60", "80"]


def test_fifty_two_weeks_thin_their_labels_and_write_only_the_last_and_highest_values():
    weeks = [(f"W{i}", 40 + i % 7) for i in range(1, 53)]
    weeks[20] = ("W21", 90)
    root = parse(bar_chart(weeks, goal=45, title="A year"))

    labels = by_class(root, "chart-x")
    assert 3 <= len(labels) <= 8
    assert labels[-1].text == "W52"
    spans = [
        (float(el.get("x")) - text_width(el.text) / 2, float(el.get("x")) + text_width(el.text) / 2)
        for el in labels
    ]
    assert all(left >= 0 and right <= 600 for left, right in spans)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))  # none touch
    assert sorted(texts(root, "chart-value")) == sorted(["90", format_value(weeks[-1][1])])


def test_durations_get_human_ticks():
    root = parse(bar_chart([("a", 3_000), ("b", 11_000)], unit="seconds", title="Reply"))

    assert texts(root, "chart-axis") == ["0", "1 h", "2 h", "3 h", "4 h"]
    assert "3.1 h" in texts(root, "chart-value")


def test_bars_link_to_their_tickets_with_a_name_when_href_is_given():
    root = parse(bar_chart(WEEKS, title="t", href=lambda i: f"/tickets/?week={i}"))

    links = root.findall(".//svg:a", NS)
    assert [a.get("href") for a in links] == [f"/tickets/?week={i}" for i in range(12)]
    assert links[0].find("svg:title", NS).text == "1 Mar: 42"  # its accessible name
    assert root.get("role") == "group"  # role="img" would hide the links


def test_without_href_or_with_a_script_address_nothing_is_a_link():
    assert parse(bar_chart(WEEKS, title="t")).find(".//svg:a", NS) is None
    assert parse(bar_chart(WEEKS, title="t")).get("role") == "img"
    scripted = parse(bar_chart(WEEKS, title="t", href=lambda i: "javascript:alert(1)"))
    assert scripted.find(".//svg:a", NS) is None


def test_a_line_breaks_where_values_are_missing_and_names_its_end():
    series = [("1", 10), ("2", 12), ("3", None), ("4", None), ("5", 9), ("6", 14)]
    root = parse(line_chart(series, title="t", compare=[8, 9, 10, 11, 12, 13]))

    line = by_class(root, "chart-line")[0]
    assert line.get("d").count("M") == 2
    assert len(by_class(root, "chart-dot")) == 4
    assert texts(root, "chart-value") == ["14", "13"]
    assert texts(root, "chart-compare-label") == ["previous period"]
    assert "L" in by_class(root, "chart-compare")[0].get("d")


def test_a_line_ending_in_a_gap_labels_its_last_known_value():
    root = parse(line_chart([("a", 5), ("b", 7), ("c", None)], title="t", unit="percent"))

    assert texts(root, "chart-value") == ["7.0 %"]
    assert not by_class(root, "chart-compare")


def test_the_sparkline_is_small_and_marks_its_last_point():
    root = parse(sparkline([3, 4, None, 6, 5], title="Backlog"))

    assert root.get("viewBox") == "0 0 120 28"
    assert len(root.findall(".//svg:circle", NS)) == 1
    assert not root.findall(".//svg:text", NS)


@pytest.mark.parametrize(
    "chart",
    [
        lambda: bar_chart([], title="t"),
        lambda: bar_chart([("a", None), ("b", None)], goal=5, title="t"),
        lambda: line_chart([("a", None)], title="t", compare=[3]),
        lambda: sparkline([None, None], title="t"),
        lambda: sparkline([], title="t"),
        lambda: pareto_chart([], title="t"),
        lambda: pareto_chart([("a", 0)], title="t"),
        lambda: stacked_flow([], title="t"),
        lambda: stacked_flow([("Tier 1", 0)], title="t"),
    ],
)
def test_empty_input_says_so(chart):
    root = parse(chart())

    assert texts(root, "chart-empty") == [EMPTY_TEXT]


def test_pareto_cumulative_share_climbs_to_all_of_it():
    rows = [("Password reset", 312), ("VPN", 201), ("Printer", 150), ("Laptop", 96), ("Other", 12)]
    root = parse(pareto_chart(rows, title="By category"))

    shares = texts(root, "chart-cum-value")
    assert shares == ["40 %", "67 %", "86 %", "98 %", "100 %"]  # of 771
    assert texts(root, "chart-guide-label") == ["80 %"]
    assert texts(root, "chart-value") == ["312", "201", "150", "96", "12"]
    assert "the first 3 make 86 % of the total" in root.get("aria-label")


def test_pareto_takes_a_given_cumulative_share_and_only_all_of_it_is_100():
    root = parse(pareto_chart([("a", 6), ("b", 3)], title="t", cumulative=[60, 99.6]))

    assert texts(root, "chart-cum-value") == ["60 %", "99 %"]


def test_pareto_cuts_long_labels_and_keeps_the_full_text_in_a_title():
    long = "Printer on the third floor keeps jamming on A3 paper"
    root = parse(pareto_chart([(long, 5), ("Short", 2)], title="t", href=lambda i: f"/c/{i}"))

    label = by_class(root, "chart-label")[0]
    shown = "".join(label.itertext()).removeprefix(long)
    assert shown.endswith("…")
    assert len(shown) <= 28
    assert label.find("svg:title", NS).text == long
    assert [a.get("href") for a in root.findall(".//svg:a", NS)] == ["/c/0", "/c/1"]


def test_flow_boxes_are_as_wide_as_their_counts():
    steps = [("Tier 1", 500), ("→ Tier 2", 120), ("→ Tier 3", 30), ("↩ handed back", 25)]
    root = parse(stacked_flow(steps, title="Escalation path"))

    widths = [float(box.get("width")) for box in by_class(root, "chart-flow-box")]
    assert widths[0] / widths[1] == pytest.approx(500 / 120, rel=0.01)
    assert texts(root, "chart-value") == ["500", "120", "30", "25"]
    assert "↩ handed back: 25" in root.get("aria-label")


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (45, "seconds", "45 s"),
        (45 * 60, "seconds", "45 min"),
        (59.8 * 60, "seconds", "1 h"),
        (3.2 * 3600, "seconds", "3.2 h"),
        (3 * 3600, "seconds", "3 h"),
        (2.5 * 86400, "seconds", "2.5 d"),
        (83.44, "percent", "83.4 %"),
        (100, "percent", "100.0 %"),
        (1234, "count", "1,234"),
        (47.25, "count", "47.2"),
        (1234, "", "1,234"),
        (12, "tickets", "12 tickets"),
        (None, "count", "—"),
        (None, "seconds", "—"),
        (float("nan"), "percent", "—"),
        ("not a number", "", "—"),
    ],
)
def test_format_value(value, unit, expected):
    assert format_value(value, unit) == expected


def test_template_tags_and_the_figure_filter():
    template = Template(
        "{% load insights_charts %}"
        '{% bar_chart points goal=50 goal_label="Goal 50 a week" title="Volume" href=links %}'
        '{% line_chart points title="Trend" %}{% sparkline values title="Spark" %}'
        '{% pareto_chart points title="Pareto" %}{% stacked_flow points title="Flow" %}'
        '{{ seconds|figure:"seconds" }}|{{ nothing|figure }}'
    )
    html = template.render(
        Context(
            {
                "points": WEEKS[:3],
                "links": ["/a", "/b", "/c"],
                "values": [1, 2],
                "seconds": 2700,
                "nothing": None,
            }
        )
    )

    assert html.count("<svg") == 5
    assert 'href="/a"' in html
    assert 'href="/c"' in html
    assert html.endswith("45 min|—")
