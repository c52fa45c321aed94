"""The mart_agency_year columns the site shows, in the order it shows them, with their labels
(the form's Chinese words beside an English gloss) and how each is written."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pipeline.extract.values import format_value


@dataclass(frozen=True)
class Metric:
    column: str
    label: str
    unit: str  # count, rate or 10k_yuan


METRICS = (
    Metric("new_received", "新收申请 requests received", "count"),
    Metric("carried_over", "上年结转 carried over", "count"),
    Metric("handled", "办理 handled (总计)", "count"),
    Metric("granted", "予以公开 granted", "count"),
    Metric("partial", "部分公开 granted in part", "count"),
    Metric("denied", "不予公开 denied", "count"),
    Metric("unable", "无法提供 could not answer", "count"),
    Metric("not_processed", "不予处理 not processed", "count"),
    Metric("other", "其他处理 handled otherwise", "count"),
    Metric("carried_forward", "结转下年度 carried forward", "count"),
    Metric("grant_rate", "公开率 grant rate (in whole or part)", "rate"),
    Metric("denial_rate", "不予公开率 denial rate", "rate"),
    Metric("review_total", "行政复议 administrative reviews", "count"),
    Metric("review_corrected", "复议纠正 reviews corrected", "count"),
    Metric("suit_total", "行政诉讼 lawsuits", "count"),
    Metric("suit_corrected", "诉讼纠正 lawsuits corrected", "count"),
    Metric("fees_10k_yuan", "收费 fees (万元)", "10k_yuan"),
)
BY_COLUMN = {m.column: m for m in METRICS}


def shown(value: object, unit: str) -> str:
    """A figure as the site writes it: counts and amounts exactly as the report does (2331,
    28983.0794), rates as a percentage to one decimal; missing as an em dash."""
    if value is None:
        return "—"
    if unit == "rate":
        return f"{float(value) * 100:.1f}%"
    if isinstance(value, Decimal):
        return format_value(value)
    if isinstance(value, float):
        return format_value(Decimal(repr(value)))
    return str(value)


def exact(value: object) -> str:
    """The value itself, for a page's data-value attribute (what the tests compare with the mart)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_value(value)
    return repr(value) if isinstance(value, float) else str(value)
