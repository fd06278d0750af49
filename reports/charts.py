"""Geometry of the dashboard's SVG charts, drawn by templates (no script, no inline
style: the shapes' classes are in static/css/dashboard.css).

Colour is never the only difference: opt-ins stand above the zero line and opt-outs
hang below it with a hatched fill, every bar carries its number in a <title>, and each
chart has a table of the same numbers beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from .dashboard import Day

WIDTH, HEIGHT = 960, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 16, 32


@dataclass
class Bar:
    """One bar, its coordinates already written out: a 90-day chart has 180 bars, and
    formatting their numbers in the template cost more than the rest of the page."""

    x: str
    y: str
    w: str
    h: str
    title: str


def _bar(x: float, y: float, w: float, h: float, title: str) -> Bar:
    return Bar(f"{x:.2f}", f"{y:.2f}", f"{w:.2f}", f"{h:.2f}", title)


@dataclass
class Tick:
    x: float
    label: str


def _bars_markup(bars: list[Bar], css: str) -> SafeString:
    # Written here rather than by a template loop: 180 bars of a 90-day chart took the
    # template engine longer than everything else on the page.
    return format_html_join(
        "",
        '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
        ((css, b.x, b.y, b.w, b.h, b.title) for b in bars),
    )


def days_table_rows(days: Sequence[Day]) -> SafeString:
    """The chart's data table, newest day first."""
    return format_html_join(
        "",
        '<tr><th scope="row">{}</th>' + "<td>{}</td>" * 7 + "</tr>",
        ((f"{d.day:%a %b} {d.day.day}", *d.cells) for d in reversed(days)),
    )


@dataclass
class SubscriberChart:
    width: int
    height: int
    left: int
    right_edge: int
    zero_y: float
    top_y: int
    bottom_y: int
    peak_in: int
    peak_out: int
    ins: list[Bar]
    outs: list[Bar]
    ticks: list[Tick]
    empty: bool

    @property
    def ins_markup(self) -> SafeString:
        return _bars_markup(self.ins, "bar-in")

    @property
    def outs_markup(self) -> SafeString:
        return _bars_markup(self.outs, "bar-out")

    @property
    def mid_x(self) -> int:
        return (self.left + self.right_edge) // 2


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _day_label(day) -> str:
    return f"{day:%b} {day.day}"


def subscriber_chart(days: Sequence[Day]) -> SubscriberChart:
    """Opt-ins per day as bars above the zero line, opt-outs as bars below it, on one
    scale (so the bars' heights compare), with about seven date labels."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    peak_in = max((d.opt_ins for d in days), default=0)
    peak_out = max((d.opt_outs for d in days), default=0)
    span = peak_in + peak_out
    # An empty period still draws its axis in the middle.
    scale = plot_h / span if span else 0.0
    zero_y = TOP + (peak_in * scale if span else plot_h / 2)
    slot = plot_w / max(len(days), 1)
    bar_w = max(slot * 0.7, 1.0)
    ins, outs, ticks = [], [], []
    every = max(1, round(len(days) / 7))
    for i, day in enumerate(days):
        x = LEFT + i * slot + (slot - bar_w) / 2
        label = _day_label(day.day)
        if day.opt_ins:
            h = day.opt_ins * scale
            ins.append(_bar(x, zero_y - h, bar_w, h, f"{label}: {_count(day.opt_ins, 'opt-in')}"))
        if day.opt_outs:
            h = day.opt_outs * scale
            outs.append(_bar(x, zero_y, bar_w, h, f"{label}: {_count(day.opt_outs, 'opt-out')}"))
        if (len(days) - 1 - i) % every == 0:
            ticks.append(Tick(LEFT + i * slot + slot / 2, label))
    return SubscriberChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right_edge=WIDTH - RIGHT,
        zero_y=zero_y,
        top_y=TOP,
        bottom_y=HEIGHT - BOTTOM,
        peak_in=peak_in,
        peak_out=peak_out,
        ins=ins,
        outs=outs,
        ticks=ticks,
        empty=not span,
    )
