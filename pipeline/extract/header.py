"""The report's title → agency and report year; the text's markers → form version."""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import islice

import regex

from pipeline.extract.sections import find_sections, lines_matching

TITLE_TAIL = regex.compile(r"(?:政府)?信息公开(?:工作)?年度?报告")
# The year in the title (`2024年`, `2024 年`, `2024年度`), never a publication date.
_AGENCY_YEAR = regex.compile(r"^(?P<agency>.*?)(?:关于)?(?P<year>(?:19|20)\d{2})年度?(?P<rest>.*)$")
_PERIOD = regex.compile(r"(?:19|20)\d{2}年1月1日(?:起)?至(?P<year>(?:19|20)\d{2})年12月31日")
_TITLE_LINES = 4
# Lines such as `发布日期：2020-01-31` or `来源：区政府办` precede some titles and are not part of them.
_META = regex.compile(r"[:]|发布日期|索引号|来源")

# Markers printed only in one of the two forms' tables.
_FORM_2019_MARKERS = ("本年新制作数量", "上一年项目数量", "政府集中采购", "对外公开总数量")
_FORM_2021_MARKERS = ("本年制发件数", "现行有效件数", "逾期不补正", "本年收费金额")


# Words that make a title line about a report rather than the report's own title: a notice that
# it was published, news of it, the format notice, a reading guide.
_ABOUT = regex.compile(r"关于|发布|印发|通知|公告|召开|举办|解读|图解|格式|转发|学习|部署|开展|新闻|会议")
# What may follow the title: `（全文）`, a bracketed note, closing punctuation.
_AFTER_TITLE = regex.compile(r"^(?:[(（\[【][^)）\]】]{0,12}[)）\]】])?[。.]?$")
_TITLE_SHAPED_MAX = 80
# A crawler's block or a site's metadata before the text: `标题：…` (folded, so the colon is `:`).
_TITLE_FIELD = regex.compile(r"^(?:标题|题名|名称|文章标题):(?P<title>.+)$")
_META_LINES = 20
# The site's name a page title carries after the report's: `…年度报告-沭阳县发改局`.
_SITE_NAME = regex.compile(r"[-_|—]+[^-_|—]*$")
_SIGNATURE_LINES = 8
_DATE_LINE = regex.compile(r"^(?:19|20)\d{2}年\d{1,2}月\d{1,2}日$")
# A signing body: a short name, no punctuation, ending as bodies' names do.
_SIGNER = regex.compile(
    r"^[\p{Han}()（）]{2,40}(?:局|委员会|委|办公室|办|政府|厅|院|会|中心|处|所|站|室|部|街道办事处|街道|镇|乡|署|队|馆)$"
)


@dataclass(frozen=True)
class Header:
    agency: str | None
    year: int | None
    title_line: int | None
    # The title is the report's own (`某局2023年政府信息公开工作年度报告`), not a line about one
    # (`关于发布…年度报告的通知`, `我区…年度报告正式发布`).
    own_title: bool = False


def read_header(folded_lines: list[str]) -> Header:
    """Titles are often split over two lines (`东城区国资委2023年政府信息公开` / `工作年度报告`),
    so the first few non-empty lines are joined before matching. Where no such lines open the
    text, a crawler's or site's `标题：` line gives the title; where the title names no agency, the
    signature at the end does (`沭阳县发展和改革局` above `2024年1月17日`)."""
    # Markdown converters print the title as `# …`.
    first = list(islice(((i, s.lstrip("#*")) for i, s in enumerate(folded_lines) if s and not _META.search(s)), _TITLE_LINES))
    header = _title(first, folded_lines)
    if header.year is None:
        labelled = next(((i, m["title"]) for i, s in enumerate(folded_lines[:_META_LINES]) if (m := _TITLE_FIELD.match(s))), None)
        if labelled is not None:
            header = _title([(labelled[0], _SITE_NAME.sub("", labelled[1]))], folded_lines)
    if header.year is not None and header.agency is None:
        header = replace(header, agency=signature(folded_lines))
    return header


def _title(first: list[tuple[int, str]], folded_lines: list[str]) -> Header:
    for start in range(len(first)):
        joined = ""
        for _, s in first[start:]:
            joined += s
            tail = TITLE_TAIL.search(joined)
            if tail:
                head = joined[: tail.start()]
                m = _AGENCY_YEAR.match(head)
                own = bool(_AFTER_TITLE.match(joined[tail.end() :])) and not _ABOUT.search(head)
                if m:
                    agency = m["agency"] or m["rest"] or None
                    return Header(agency, int(m["year"]), first[start][0] + 1, own)
                return Header(head or None, period_year(folded_lines), first[start][0] + 1, own)
    return Header(None, None, None)


def signature(folded_lines: list[str]) -> str | None:
    """The body that signs the report: a short line naming an agency right above the date that
    closes the text."""
    tail = [s for s in folded_lines[-_SIGNATURE_LINES:] if s]
    for k in range(len(tail) - 1, 0, -1):
        if _DATE_LINE.match(tail[k]) and _SIGNER.match(tail[k - 1]):
            return tail[k - 1]
    return None


def later_title(folded_lines: list[str], after: int, agency: str | None, year: int | None) -> tuple[int, int] | None:
    """The first and last line of a second report's own title after line `after` (a file holding
    two reports pasted together): a title naming another agency's or year's report, followed by the
    form's sections again. The report's own title standing again is a running header."""
    for i in lines_matching(TITLE_TAIL, folded_lines, after + 1):
        line = folded_lines[i].lstrip("#*")
        if len(line) > _TITLE_SHAPED_MAX or "。" in line or not _YEAR_IN.search(line):
            continue
        title = _title([(i, line)], folded_lines)
        above = next((j for j in range(i - 1, after, -1) if folded_lines[j]), None)
        if title.agency is None and above is not None:
            # a title broken over lines: its agency on the line above
            title = _title([(above, folded_lines[above].lstrip("#*")), (i, line)], folded_lines)
        if (title.agency, title.year) == (agency, year):
            continue
        if title.own_title and title.agency and title.year and find_sections(folded_lines[i + 1 :]).keys() & {"proactive", "requests"}:
            assert title.title_line is not None
            return title.title_line - 1, i
    return None


# Names of divisions (淮安市, 沭阳县, 江苏省) as the report's opening lines, signature and publisher
# write them; each token may carry words before the name (本报告由淮安市), as only a known
# division's name inside it counts (pipeline.warehouse.divisions).
_DIVISION_WORD = regex.compile(r"\p{Han}{1,8}?(?:省|自治区|市|自治州|州|盟|地区|县|区|旗)")
_HINT_LINES = 6
_HINT_LINE_CHARS = 160
_HINT_WORDS = 24


def division_hint(folded_lines: list[str], publisher: str | None) -> str | None:
    """The cities and counties the report names where it says who it is (its first lines, the
    signature, the page's 发布机构): what tells 南京市鼓楼区 from 福州市鼓楼区 when the title says
    only 鼓楼区. A few words, so the reports frame stays small."""
    first = islice(filter(None, folded_lines), _HINT_LINES)
    last = reversed(list(islice(filter(None, reversed(folded_lines)), _SIGNATURE_LINES)))
    places = [*first, *last, publisher or ""]
    words = dict.fromkeys(w for s in places for w in _DIVISION_WORD.findall(_to_last_suffix(s[:_HINT_LINE_CHARS])))
    return " ".join(list(words)[:_HINT_WORDS]) or None


# The last character of each of _DIVISION_WORD's endings (自治区 and 地区 end in 区).
_ENDING_LAST = "省区市州盟县旗"


def _to_last_suffix(s: str) -> str:
    """s up to its last character that can end a division word: _DIVISION_WORD finds the same
    words in it, and its lazy search, slow over long prose, stops there."""
    return s[: max(map(s.rfind, _ENDING_LAST)) + 1]


def report_titles(folded_lines: list[str]) -> int:
    """How many different lines are shaped like a report's title: a page listing reports (a 年报
    column) holds many, a report one or two (its title, perhaps repeated in a page heading)."""
    return len(
        {
            line
            for line in folded_lines
            if len(line) <= _TITLE_SHAPED_MAX and "。" not in line and "," not in line and TITLE_TAIL.search(line) and _YEAR_IN.search(line)
        }
    )


_YEAR_IN = regex.compile(r"(?:19|20)\d{2}")


def period_year(folded_lines: list[str]) -> int | None:
    """The year of the statistics period the text states (`2023年1月1日至2023年12月31日`)."""
    # Folded lines hold no white space: no match runs over the newlines that join them.
    m = _PERIOD.search("\n".join(folded_lines))
    return int(m["year"]) if m else None


def detect_form(folded_text: str, year: int | None) -> tuple[str, str | None]:
    """The form version, and a note when the table markers and the year disagree."""
    has_2019 = any(m in folded_text for m in _FORM_2019_MARKERS)
    has_2021 = any(m in folded_text for m in _FORM_2021_MARKERS)
    by_year = None if year is None else ("2019" if year <= 2020 else "2021")
    if has_2019 != has_2021:
        found = "2019" if has_2019 else "2021"
        note = None
        if by_year and by_year != found:
            note = f"the tables follow the {found} form although the report year is {year}"
        return found, note
    return by_year or "2021", None
