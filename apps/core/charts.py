"""Server-rendered SVG charts: line and bar charts built in Python, no JavaScript.

Used by the metrics dashboard and the timelog report. The SVG is inlined in
the page; it styles itself with presentation attributes (``fill``,
``stroke``), never ``style=""``, so it passes a strict Content-Security-Policy.
Every text in it is escaped, and each point carries a ``<title>`` that
browsers show as a tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

PALETTE = ["#7a3e5d", "#2f6b4f", "#c0772a", "#3d5a99", "#a2262e", "#5d5363", "#1f7a8c", "#8a5a00"]
INK = "#2b2230"
INK_SOFT = "#5d5363"
GRID = "#e7dfd8"

LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28
LEGEND_ROW = 18


@dataclass
class Series:
    """One line of a chart; ``None`` values leave a gap."""

    label: str
    values: Sequence[float | None]


def nice_step(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above ``value`` (a gridline spacing).

    >>> [nice_step(v) for v in (0, 0.07, 7, 9.5, 22, 155, 1001)]
    [1, 0.1, 10, 10, 25, 200, 2000]
    """
    if value <= 0:
        return 1
    exponent = math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        candidate = factor * 10**exponent
        if candidate >= value - 1e-12:
            return int(candidate) if candidate >= 1 and candidate == int(candidate) else candidate
    return 10 ** (exponent + 1)  # pragma: no cover (the loop always returns)


def plain_number(value: float) -> str:
    """A short axis label: ``1200`` → ``1.2k``.

    >>> [plain_number(v) for v in (0, 2.5, 40, 1200, 3_000_000)]
    ['0', '2.5', '40', '1.2k', '3M']
    """
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def axis_range(values: Sequence[float]) -> tuple[float, float, float]:
    """Bottom, top and gridline step of an axis showing ``values`` and zero, about 4 lines.

    >>> axis_range([3, 38]), axis_range([620]), axis_range([100, -50])
    ((0, 40, 10), (0, 800, 200), (-50, 100, 50))
    """
    low = min([0, *values])
    high = max([0, *values])
    step = nice_step((high - low) / 4)
    bottom = -math.ceil(-low / step - 1e-9) * step if low < 0 else 0
    top = math.ceil(high / step - 1e-9) * step if high > 0 else 0
    if top == bottom:
        top = bottom + step
    return bottom, top, step


def _label_positions(n: int, wanted: int = 6) -> list[int]:
    """Which of ``n`` x positions get a label: ``wanted`` of them, evenly spread, first and last.

    >>> _label_positions(30)
    [0, 6, 12, 17, 23, 29]
    >>> _label_positions(3)
    [0, 1, 2]
    """
    if n <= wanted:
        return list(range(n))
    return [round(i * (n - 1) / (wanted - 1)) for i in range(wanted)]


class _Frame:
    """The plot area and the scales of one chart."""

    def __init__(self, width: int, height: int, n: int, values: Sequence[float], bars: bool) -> None:
        self.width, self.height, self.n = width, height, n
        self.low, self.high, self.step = axis_range(values)
        self.plot_w = width - LEFT - RIGHT
        self.plot_h = height - TOP - BOTTOM
        self.bars = bars

    def x(self, i: int) -> float:
        if self.bars:
            return LEFT + (i + 0.5) * self.plot_w / max(self.n, 1)
        if self.n <= 1:
            return LEFT + self.plot_w / 2
        return LEFT + i * self.plot_w / (self.n - 1)

    def y(self, value: float) -> float:
        return TOP + (self.high - value) * self.plot_h / (self.high - self.low)


def _open(width: int, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" font-family="system-ui, sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(description)}</desc>",
    ]


def _axes(frame: _Frame, x_labels: Sequence[str], fmt: Callable[[float], str]) -> list[str]:
    parts = []
    for k in range(round((frame.high - frame.low) / frame.step) + 1):
        value = frame.low + k * frame.step
        y = frame.y(value)
        parts.append(
            f'<line x1="{LEFT}" x2="{frame.width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK_SOFT}">'
            f"{escape(fmt(value))}</text>"
        )
    positions = _label_positions(len(x_labels))
    for i in positions:
        # The last label ends at its point, so it is not cut off at the right edge.
        anchor = "end" if i == positions[-1] and len(positions) > 1 else "middle"
        parts.append(
            f'<text x="{frame.x(i):.1f}" y="{frame.height - BOTTOM + 16}" text-anchor="{anchor}" '
            f'fill="{INK_SOFT}">{escape(x_labels[i])}</text>'
        )
    return parts


def _close(parts: list[str]) -> SafeString:
    parts.append("</svg>")
    return mark_safe("".join(parts))  # nosec B308, B703  # every text in the SVG is escaped


def _empty(width: int, height: int, title: str) -> SafeString:
    parts = _open(width, height, title, _("No data for this period."))
    parts.append(
        f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" fill="{INK_SOFT}">'
        "No data yet</text>"
    )
    return _close(parts)


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    width: int = 640,
    height: int = 220,
    fmt: Callable[[float], str] = plain_number,
    unit: str = "",
) -> SafeString:
    """An SVG line chart of ``series`` over ``x_labels``, with a legend when there are several."""
    values = [v for s in series for v in s.values if v is not None]
    legend_rows = math.ceil(len(series) / 2) if len(series) > 1 else 0
    total_height = height + legend_rows * LEGEND_ROW
    if not values or not x_labels:
        return _empty(width, total_height, title)
    frame = _Frame(width, height, len(x_labels), values, bars=False)
    description = "; ".join(
        f"{s.label}: latest {fmt(last)}{unit}"
        for s in series
        if (last := next((v for v in reversed(s.values) if v is not None), None)) is not None
    )
    parts = [*_open(width, total_height, title, description), *_axes(frame, x_labels, fmt)]
    for index, s in enumerate(series):
        color = PALETTE[index % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for i, value in enumerate(s.values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(f"{frame.x(i):.1f},{frame.y(value):.1f}")
        for run in runs:
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{color}" '
                    f'stroke-width="2" stroke-linejoin="round"/>'
                )
        for i, value in enumerate(s.values):
            if value is not None:
                tip = f"{s.label}, {x_labels[i]}: {fmt(value)}{unit}"
                parts.append(
                    f'<circle cx="{frame.x(i):.1f}" cy="{frame.y(value):.1f}" r="2.5" fill="{color}">'
                    f"<title>{escape(tip)}</title></circle>"
                )
    if legend_rows:
        for index, s in enumerate(series):
            x = LEFT + (index % 2) * (frame.plot_w / 2)
            y = height + (index // 2) * LEGEND_ROW + 4
            color = PALETTE[index % len(PALETTE)]
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="12" height="12" rx="2" fill="{color}"/>')
            parts.append(f'<text x="{x + 18:.1f}" y="{y + 10}" fill="{INK}">{escape(s.label)}</text>')
    return _close(parts)


def bar_chart(
    x_labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    width: int = 640,
    height: int = 220,
    fmt: Callable[[float], str] = plain_number,
    unit: str = "",
    color: str = PALETTE[0],
) -> SafeString:
    """An SVG bar chart, one bar per x label (negative values hang below zero)."""
    if not values or not x_labels:
        return _empty(width, height, title)
    frame = _Frame(width, height, len(x_labels), values, bars=True)
    description = (
        f"Total {fmt(sum(values))}{unit} over {len(values)} periods; highest {fmt(max(values))}{unit}."
    )
    parts = [*_open(width, height, title, description), *_axes(frame, x_labels, fmt)]
    slot = frame.plot_w / len(values)
    bar_w = max(slot * 0.7, 1.0)
    zero = frame.y(0)
    for i, value in enumerate(values):
        top = frame.y(max(value, 0))
        bar_h = abs(frame.y(value) - zero)
        tip = f"{x_labels[i]}: {fmt(value)}{unit}"
        parts.append(
            f'<rect x="{frame.x(i) - bar_w / 2:.1f}" y="{top:.1f}" width="{bar_w:.1f}" '
            f'height="{max(bar_h, 0.5 if value else 0):.1f}" fill="{color}">'
            f"<title>{escape(tip)}</title></rect>"
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{zero:.1f}" y2="{zero:.1f}" '
        f'stroke="{INK_SOFT}" stroke-width="1"/>'
    )
    return _close(parts)
