"""The agency pages' small charts, laid out here and drawn as SVG by the template
(templates/chart.svg): bars per year, computed in plain Python, since tens of thousands of pages
cannot afford a plotting library's start-up per chart. Readable without JavaScript: every bar
carries its value as text and as a tooltip."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.site.metrics import BY_COLUMN, shown

WIDTH, HEIGHT = 360, 150
TOP, BOTTOM, LEFT = 18, 22, 8
COLOURS = ("#3b6ea5", "#e08a2c", "#5b9e4d", "#c0504d", "#8064a2", "#4bacc6", "#9c9c9c")


@dataclass(frozen=True)
class Bar:
    """One bar, its coordinates already written out (the template only places them), and its
    label inside the bar's top or just above it when the bar is too short to hold it."""

    x: str
    y: str
    width: str
    height: str
    colour: str
    tip: str
    text: str
    text_x: str
    text_y: str
    inside: bool


def _bar(x: float, y: float, width: float, height: float, colour: str, tip: str, text: str) -> Bar:
    inside = height >= 14
    return Bar(
        f"{x:.1f}",
        f"{y:.1f}",
        f"{width:.1f}",
        f"{height:.1f}",
        colour,
        tip,
        text,
        f"{x + width / 2:.1f}",
        f"{y + 12 if inside else y - 3:.1f}",
        inside,
    )


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    years: list[tuple[str, str]]  # (x of the label's centre, year)
    legend: list[tuple[str, str]]  # (colour, label)
    width: int = WIDTH
    height: int = HEIGHT


def grouped(title: str, rows: list[dict], columns: tuple[str, ...]) -> Chart:
    """One group of bars per year, one bar per column, heights on one scale."""
    values = [[row[c] for c in columns] for row in rows]
    top = max([float(v) for vs in values for v in vs if v is not None] + [0.0]) or 1.0
    slot = (WIDTH - LEFT * 2) / max(len(rows), 1)
    bar = min(36.0, slot * 0.8 / len(columns))
    plot = HEIGHT - TOP - BOTTOM
    bars, years = [], []
    for i, (row, vs) in enumerate(zip(rows, values)):
        start = LEFT + i * slot + (slot - bar * len(columns)) / 2
        years.append((f"{LEFT + i * slot + slot / 2:.1f}", str(row["year"])))
        for j, (column, v) in enumerate(zip(columns, vs)):
            h = 0.0 if v is None else plot * float(v) / top
            metric = BY_COLUMN[column]
            text = shown(v, metric.unit)
            bars.append(
                _bar(start + j * bar, TOP + plot - h, bar - 1, h, COLOURS[j % len(COLOURS)], f"{row['year']} {metric.label}: {text}", text)
            )
    return Chart(title, bars, years, [(COLOURS[j % len(COLOURS)], BY_COLUMN[c].label) for j, c in enumerate(columns)])


def stacked(title: str, rows: list[dict], columns: tuple[str, ...], of: str) -> Chart:
    """One bar per year, split into the columns' shares of `of` (what happened to the requests
    handled); a year with nothing handled has no bar."""
    slot = (WIDTH - LEFT * 2) / max(len(rows), 1)
    bar = min(48.0, slot * 0.6)
    plot = HEIGHT - TOP - BOTTOM
    bars, years = [], []
    for i, row in enumerate(rows):
        x = LEFT + i * slot + (slot - bar) / 2
        years.append((f"{LEFT + i * slot + slot / 2:.1f}", str(row["year"])))
        total = row[of] or 0
        y = TOP + plot
        for j, column in enumerate(columns):
            v = row[column] or 0
            if total <= 0 or v <= 0:
                continue
            h = plot * v / total
            y -= h
            metric = BY_COLUMN[column]
            share = f"{100 * v / total:.1f}%"
            bars.append(
                _bar(x, y, bar, h, COLOURS[j % len(COLOURS)], f"{row['year']} {metric.label}: {v} ({share})", share if h > 12 else "")
            )
    return Chart(title, bars, years, [(COLOURS[j % len(COLOURS)], BY_COLUMN[c].label) for j, c in enumerate(columns)])


def agency_charts(rows: list[dict]) -> list[Chart]:
    if not rows:
        return []
    return [
        grouped("Requests 申请", rows, ("new_received", "handled", "carried_forward")),
        stacked(
            "What happened to the requests handled 办理结果",
            rows,
            ("granted", "partial", "denied", "unable", "not_processed", "other"),
            of="handled",
        ),
        grouped("Appeals 复议与诉讼", rows, ("review_total", "review_corrected", "suit_total", "suit_corrected")),
    ]
