"""Report titles → agencies: the registry (pipeline/reference) first, then what the title says
about its division (pipeline.warehouse.divisions), else the title itself.

Every spelling gets a key, the normalized canonical name of its agency, from which
sql/sources/agencies.sql derives agency_id:

1. a name in agencies.csv is its own key, and an alias in agency_aliases.csv its name's;
2. a title whose division and body are inferred is keyed by its canonical name
   (江苏省宿迁市沭阳县发展和改革局), or by the registry name inferred to the same canonical name
   (东城区人民政府国资委 → 北京市东城区人民政府国有资产监督管理委员会), so registry names win and
   no registered agency's id changes;
3. anything else (an ambiguous or misspelled division, no division, a body not recognised) is
   keyed by the title, as before, and listed by unknown_agencies with what was found.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl
import regex

from pipeline.warehouse.divisions import Inference, gazetteer

# The normalization sql/sources/agencies.sql documents (full-width brackets folded, white space
# removed), with RE2's \s, which DuckDB's regexp_replace used.
_SPACE = regex.compile(r"[\t\n\f\r \u3000\u00a0\u200b\ufeff]+")

SPELLINGS_SCHEMA = {"spelling": pl.String, "division_hint": pl.String, "role": pl.String, "key": pl.String}
RECORDS_SCHEMA = {
    "key": pl.String,
    "in_registry": pl.Boolean,
    "level": pl.String,
    "region": pl.String,
    "parent_key": pl.String,
    "division_code": pl.String,
    "province": pl.String,
    "city": pl.String,
    "county": pl.String,
    "division_level": pl.String,
    "kind": pl.String,
    "candidates": pl.List(pl.String),
    "probable_name": pl.String,
}
_KIND_OF_LEVEL = {"aggregate": "government", "department": "department"}


def normal(spelling: str) -> str:
    return _SPACE.sub("", spelling.replace("（", "(").replace("）", ")"))


@cache
def _infer(key: str, hint: str | None) -> Inference:
    return gazetteer().infer(key, hint)


def _csv(path: Path) -> list[dict[str, str | None]]:
    frame = pl.read_csv(path, infer_schema=False)
    return [{k: (v.strip() or None) if v is not None else None for k, v in row.items()} for row in frame.iter_rows(named=True)]


class Resolver:
    def __init__(self, reference_dir: Path):
        self.registry = [r for r in _csv(reference_dir / "agencies.csv") if r["name"]]
        self.names = {normal(r["name"]): r for r in self.registry}
        # aliases of names missing from agencies.csv are ignored
        self.alias_rows = [
            (a["alias"], normal(a["name"]))
            for a in _csv(reference_dir / "agency_aliases.csv")
            if a["alias"] and a["name"] and normal(a["name"]) in self.names
        ]
        self.aliases = {normal(alias): name for alias, name in self.alias_rows}
        # canonical name inferred from a registry spelling → that registry name (the first wins)
        self.registered_canonical: dict[str, str] = {}
        for spelling, name in [*((k, k) for k in self.names), *self.aliases.items()]:
            canonical = _infer(spelling, None).canonical_name
            if canonical is not None:
                self.registered_canonical.setdefault(normal(canonical), name)
        self.records: dict[str, dict] = {}
        self.spellings: list[tuple[str, str | None, str, str]] = []

    def key(self, spelling: str, hint: str | None) -> tuple[str, Inference]:
        k = normal(spelling)
        if k in self.names:
            return k, _infer(k, None)
        if k in self.aliases:
            return self.aliases[k], _infer(self.aliases[k], None)
        inferred = _infer(k, hint)
        if inferred.canonical_name is None:
            return k, inferred
        canonical = normal(inferred.canonical_name)
        return self.registered_canonical.get(canonical, canonical), inferred

    def _record(self, key: str, inferred: Inference, registered: dict | None) -> None:
        if key in self.records:
            return
        place = inferred.place
        government = inferred.government_name
        parent = None
        if registered and registered["parent"]:
            parent = self.key(registered["parent"], None)[0]
        elif government is not None:
            parent = self.registered_canonical.get(normal(government), normal(government))
        self.records[key] = {
            "key": key,
            "in_registry": registered is not None,
            "level": registered["level"] if registered else None,
            "region": registered["region"] if registered else (place.full_name if place else None),
            "parent_key": parent,
            "division_code": place.division.code if place else None,
            "province": place.province if place else None,
            "city": place.city if place else None,
            "county": place.county if place else None,
            "division_level": inferred.division_level,
            "kind": inferred.kind or (_KIND_OF_LEVEL.get(registered["level"] or "") if registered else None),
            "candidates": list(inferred.candidates) or None,
            "probable_name": inferred.probable_name,
        }
        if parent is not None and parent not in self.records and government is not None:
            # the government a department belongs to is an agency even before it reports
            self._record(parent, _infer(normal(government), None), self.names.get(parent))

    def add_registry(self) -> None:
        for r in self.registry:
            key, inferred = self.key(r["name"], None)
            self._record(key, inferred, r)
            self.spellings.append((r["name"], None, "registry", key))
        for alias, name in self.alias_rows:
            self.spellings.append((alias, None, "registry", name))

    def add_titles(self, titles: pl.DataFrame, role: str) -> None:
        for title, hint in titles.select("agency", "division_hint").unique().iter_rows():
            if title is None or not normal(title):
                continue
            key, inferred = self.key(title, hint)
            if role == "title":
                self._record(key, inferred, self.names.get(key))
            self.spellings.append((title, hint, role, key))


def resolve(reports: pl.DataFrame, changed: pl.DataFrame, reference_dir: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The spellings frame (each registry spelling, report title with its division_hint, and the
    titles of changed reports as they were: role `registry`, `title`, `changed`, each with its
    agency's key) and the agencies frame (one row per key)."""
    resolver = Resolver(reference_dir)
    resolver.add_registry()
    resolver.add_titles(reports, "title")
    resolver.add_titles(changed, "changed")
    spellings = pl.DataFrame(resolver.spellings, schema=SPELLINGS_SCHEMA, orient="row")
    records = pl.DataFrame(list(resolver.records.values()), schema=RECORDS_SCHEMA)
    return spellings, records
