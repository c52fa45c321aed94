"""Normalized lines → where sections 二 to 六 begin, by their headings."""

from __future__ import annotations

from collections.abc import Iterator

import regex

# Headings are written `二、`, `2、`, `（二）`, `第二部分` or not numbered at all.
_NUMBERING = r"(?:第?[一二三四五六七八九十\d]+(?:部分)?[、.．,，:]?|\([一二三四五六七八九十\d]+\)[、.]?)?"
_HEADINGS = {
    "proactive": r"主动公开政府信息(?:的)?情况",
    "requests": r"收到和处理政府信息公开申请(?:的)?情况",
    "appeals": r"(?:政府信息公开)?行政复议[、和及]?行政诉讼(?:的)?情况",
    "problems": r"存在的?主要问题及(?:其)?(?:改进|整改)(?:情况|措施)",
    "other": r"其他需要报告的事项",
}
# Markdown converters (html2text) keep a heading's `##` and emphasis marks.
_HEADING_RE = {k: regex.compile(rf"^#*\**{_NUMBERING}{v}[。.]?\**$") for k, v in _HEADINGS.items()}
SECTION_ORDER = tuple(_HEADINGS)
# Text every heading of the kind contains (a literal part of its pattern): a line without it is
# not tried against the pattern, which is most lines of every report.
_NEEDLE = {
    "proactive": "主动公开政府信息",
    "requests": "收到和处理政府信息公开申请",
    "appeals": "行政诉讼",
    "problems": "主要问题及",
    "other": "其他需要报告的事项",
}
assert all(_NEEDLE[k] in v for k, v in _HEADINGS.items()), "each needle must be literal text of its heading"


def find_sections(folded_lines: list[str]) -> dict[str, int]:
    """0-based line index of each section heading found, taking the first heading of each kind
    that comes after the previous section's; a kind not found in that order (a report that prints
    its sections in another order) is the first heading of its kind anywhere else."""
    headings = _headings(folded_lines)
    found: dict[str, int] = {}
    start = 0
    for key in SECTION_ORDER:
        i = next((i for i in headings[key] if i >= start), None)
        if i is not None:
            found[key] = i
            start = i + 1
    for key in SECTION_ORDER:
        if key not in found:
            taken = set(found.values())
            i = next((i for i in headings[key] if i not in taken), None)
            if i is not None:
                found[key] = i
    return found


def _headings(folded_lines: list[str]) -> dict[str, list[int]]:
    """Every line that is a heading of each kind, in order. Each needle is looked for in the
    report's text at once with str.find (a regex alternation of the five is slower): a line
    without its kind's needle is never visited."""
    text = "\n".join(folded_lines)
    found: dict[str, list[int]] = {}
    for key in SECTION_ORDER:
        pattern, needle = _HEADING_RE[key], _NEEDLE[key]
        lines = found[key] = []
        i, counted = 0, 0
        at = text.find(needle)
        while at >= 0:
            i += text.count("\n", counted, at)
            if pattern.match(folded_lines[i]):
                lines.append(i)
            # on from the next line: a line is one heading, however often it holds the needle
            counted = text.find("\n", at)
            if counted < 0:
                break
            at = text.find(needle, counted)
    return found


def lines_matching(pattern: regex.Pattern, folded_lines: list[str], start: int = 0) -> Iterator[int]:
    """The index of each line from `start` on that the pattern matches, searched in the lines'
    text at once rather than line by line (folded lines hold no white space, so joining them with
    newlines makes no match span two)."""
    text = "\n".join(folded_lines[start:])
    i, counted = start, 0
    at = 0
    while (m := pattern.search(text, at)) is not None:
        i += text.count("\n", counted, m.start())
        yield i
        counted = text.find("\n", m.end())
        if counted < 0:
            return
        at = counted


def section_spans(folded_lines: list[str]) -> dict[str, tuple[int, int]]:
    """[start, end) line span of each table section; a section whose heading is missing is
    bounded by its neighbours, so a dropped heading does not lose the table under it."""
    heads = find_sections(folded_lines)
    n = len(folded_lines)
    spans = {}
    keys = list(SECTION_ORDER)
    for idx, key in enumerate(keys[:3]):
        if key in heads:
            start = heads[key]
        else:
            before = [heads[k] for k in keys[:idx] if k in heads]
            start = max(before) if before else 0
        after = [i for i in heads.values() if i > start]
        end = min(after) if after else n
        spans[key] = (start, end)
    return spans
