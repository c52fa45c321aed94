"""Figures the prose states (sections 一 and 六), with the table cell each must equal (docs/form.md,
"Figures stated in the prose").

Only phrases that name their cell without doubt are tied to a cell: the request or appeal count
must follow the phrase's keyword directly ("新收政府信息公开申请数量1件", "收到依申请公开总数为2333件",
"共受理政府信息公开申请859件"), and a clause that narrows the count ("其中…", "通过网上…", "自然人…")
is never compared. A false finding is worse than a missed one. Figures with no cell (主动公开…21条,
信息处理费 in 元) are kept, with no cell to compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import regex

from pipeline.extract.sections import find_sections
from pipeline.extract.values import not_held


@dataclass(frozen=True)
class NarrativeFigure:
    kind: str
    value: Decimal | None  # None: too long for the warehouse to hold exactly
    source_line: int  # 1-based, in the raw file
    raw_text: str  # the matched phrase, folded
    # the cell it must equal; NULL for figures with no table cell. row_code may join two codes
    # with '+' when the figure is their sum (行政诉讼 = both litigation groups), and list readings
    # the wording allows with '|' (受理: new, or new plus carried over); the first is the usual one.
    table_code: str | None = None
    row_code: str | None = None
    applicant_class: str | None = None
    source_page: int | None = None  # 1-based PDF page; source_line is then None


_N = r"(?P<n>\d+(?:,\d{3})*)"
_REQUEST = r"(?:政府信息公开申请|依申请公开(?:申请)?)"
_COUNT_WORD = r"(?:事项|总数|数量|总量|案件)?(?:共计|合计|总计|共)?(?:为|是|达)?"
_AMOUNT = r"(?P<n>\d+(?:,\d{3})*(?:\.\d+)?)"

# (kind, pattern, table_code, row_code, applicant_class)
_PATTERNS: tuple[tuple[str, regex.Pattern, str | None, str | None, str | None], ...] = tuple(
    (kind, regex.compile(pattern), table, row, cls)
    for kind, pattern, table, row, cls in (
        ("new_received", rf"(?:新收|收到)(?:的)?{_REQUEST}{_COUNT_WORD}{_N}件", "requests", "new_received", "total"),
        # 受理 counts the new requests, or the new ones and those carried over: either reading
        # agrees with the table (docs/form.md, "Figures stated in the prose").
        ("new_received", rf"受理(?:的)?{_REQUEST}{_COUNT_WORD}{_N}件", "requests", "new_received|new_received+carried_over", "total"),
        ("carried_over", rf"上年结转(?:的)?{_REQUEST}?{_COUNT_WORD}{_N}件", "requests", "carried_over", "total"),
        ("handled", rf"(?:办结|答复)(?:了)?{_REQUEST}{_COUNT_WORD}{_N}件", "requests", "result.total", "total"),
        (
            "carried_forward",
            rf"(?:结转|顺延)(?:到|至)?下(?:一)?年度?(?:继续办理)?(?:的)?{_REQUEST}?{_COUNT_WORD}{_N}件",
            "requests",
            "carried_forward",
            "total",
        ),
        ("review_total", rf"行政复议(?:申请|案件)?{_COUNT_WORD}{_N}件", "appeals", "review.total", None),
        (
            "suit_total",
            rf"行政诉讼(?:案件)?{_COUNT_WORD}{_N}件",
            "appeals",
            "suit_direct.total+suit_after_review.total",
            None,
        ),
        # no table cell: kept, never compared
        ("proactive_published", rf"主动公开(?:政府)?信息(?:共计|共)?{_N}(?:条|件)", None, None, None),
        ("fee_notices", rf"发出收费通知的?件数(?:为|是)?{_N}件", None, None, None),
        ("fee_collected_yuan", rf"实际收取的?总金额(?:为|是)?{_AMOUNT}元", None, None, None),
    )
)
# Read within a sentence rather than a clause: "发出收费通知的件数为4件，总金额为50990元".
_SENTENCE_PATTERNS = (("fee_notice_amount_yuan", regex.compile(rf"发出收费通知的?件数[^。；;，,]*[，,]总金额(?:为|是)?{_AMOUNT}元")),)
_DIGIT = regex.compile(r"\d")
_CLAUSE = regex.compile(r"[^。；;，,：:!?！？]+")
_SENTENCE = regex.compile(r"[^。；;!?！？]+")
# Words before a keyword, within its clause, that make the count a part of the whole.
_NARROWING = (
    "其中",
    "通过",
    "网上",
    "网络",
    "信函",
    "当面",
    "传真",
    "电子邮件",
    "自然人",
    "法人",
    "企业",
    "个人",
    "涉及",
    "以外",
    "不含",
    "上年",
    "去年",
    "同比",
    "较",
    "比",
)

_NARROWED = regex.compile("|".join(map(regex.escape, _NARROWING)))
# A keyword joined to another ("行政复议和行政诉讼共5件", "受理和办结…") states a figure for both.
_JOINING = ("和", "及", "与", "、", "或", "并")


def narrative_figures(folded_lines: list[str]) -> list[NarrativeFigure]:
    """Figures in section 一 (before the first table section) and section 六 (to the end).
    A report whose section headings cannot be found yields none: the prose is not guessed."""
    heads = find_sections(folded_lines)
    spans = []
    first_table = min((heads[k] for k in ("proactive", "requests", "appeals") if k in heads), default=None)
    if first_table is not None:
        spans.append((0, first_table))
    if "other" in heads:
        spans.append((heads["other"] + 1, len(folded_lines)))
    found: list[NarrativeFigure] = []
    for start, end in spans:
        for i in range(start, end):
            found.extend(_line_figures(folded_lines[i], i + 1))
    return found


def _line_figures(line: str, line_no: int) -> list[NarrativeFigure]:
    if not _DIGIT.search(line):
        return []  # every pattern reads a number
    figures = []
    for clause in _CLAUSE.findall(line):
        if not _DIGIT.search(clause):
            continue
        for kind, pattern, table, row, cls in _PATTERNS:
            for m in pattern.finditer(clause):
                if table is not None and (_NARROWED.search(clause, 0, m.start()) or clause[m.start() - 1 : m.start()] in _JOINING):
                    continue
                figures.append(NarrativeFigure(kind, _number(m["n"]), line_no, m.group(0), table, row, cls))
    for sentence in _SENTENCE.findall(line):
        if not _DIGIT.search(sentence):
            continue
        for kind, pattern in _SENTENCE_PATTERNS:
            for m in pattern.finditer(sentence):
                figures.append(NarrativeFigure(kind, _number(m["n"]), line_no, m.group(0)))
    return figures


def _number(text: str) -> Decimal | None:
    """None for a number the warehouse cannot hold exactly (values.not_held): never rounded."""
    value = Decimal(text.replace(",", ""))
    return None if not_held(value) else value
