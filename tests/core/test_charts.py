"""The SVG chart helper shared by the dashboard and the timelog page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from apps.core.charts import Series, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """The chart as an XML tree: parsing fails unless it is well-formed."""
    return ET.fromstring(svg)  # noqa: S314 (our own output, not untrusted input)


def test_a_bar_chart_is_well_formed_svg_with_one_bar_per_value():
    svg = bar_chart(["1 Jun", "2 Jun", "3 Jun"], [3, 0, 5], title="Sign-ups")

    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Sign-ups"
    bars = root.findall(f"{SVG}rect")
    assert [bar.find(f"{SVG}title").text for bar in bars] == ["1 Jun: 3", "2 Jun: 0", "3 Jun: 5"]
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[1] == 0 < heights[0] < heights[2]


def test_a_line_chart_leaves_gaps_and_has_a_legend_for_several_series():
    svg = line_chart(
        ["a", "b", "c", "d", "e"],
        [Series("pages:home", [1, 2, None, 4, 5]), Series("items:add", [5, 4, 3, 2, 1])],
        title="p95",
        unit=" ms",
    )

    root = parse(svg)
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 3  # the first series is cut in two by its gap
    assert len({line.get("stroke") for line in lines}) == 2
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "pages:home" in texts
    assert "items:add" in texts
    tips = [t.text for t in root.iter(f"{SVG}title")]
    assert "pages:home, d: 4 ms" in tips


def test_labels_are_escaped_and_no_inline_styles_are_used():
    svg = line_chart(["<b>"], [Series("<script>x</script>", [1])], title="A & B")

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "A &amp; B" in svg
    assert "style=" not in svg
    parse(svg)


def test_no_data_says_so():
    svg = bar_chart([], [], title="Nothing")

    assert "No data yet" in svg


def test_negative_values_hang_below_the_zero_line():
    svg = bar_chart(["1", "2"], [100, -50], title="Revenue")

    root = parse(svg)
    [zero] = [line for line in root.findall(f"{SVG}line") if line.get("stroke") == "#5d5363"]
    up, down = root.findall(f"{SVG}rect")
    zero_y = float(zero.get("y1"))
    assert float(up.get("y")) + float(up.get("height")) == pytest.approx(zero_y, abs=0.2)
    assert float(down.get("y")) == pytest.approx(zero_y, abs=0.2)
    assert re.search(r">-50<", svg)  # the axis goes below zero
