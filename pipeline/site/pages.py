"""Which pages a build renders, and which it links from the previous site instead.

Pages are written once and never changed in place, so a page whose content cannot have changed is
hard-linked from the previous version (a link is a copy). The previous site's manifest
(`.pages.json`) holds each page's fingerprint: what it shows of the warehouse, in a form cheap to
compute without rendering it. A page is rendered again when its fingerprint differs, or when it
shows the findings of an agency the build recomputed (a finding's cells are its reports' facts):

* an agency page: its links (its name, its government's, its departments') and whether it or any
  of its departments was recomputed (a government's findings compare it with them);
* a rule page and files.html: the ids of their findings (sql/site/page_fingerprints.sql);
* a ranking page: every row it lists, and the years it links to.

The index and the rankings' index are always rendered: they count everything.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

MANIFEST = ".pages.json"


@dataclass(frozen=True)
class Page:
    kind: str  # agency, rule, files or rank
    key: object  # its agency_id, check_name, None, or (metric, year)
    fingerprint: str


@dataclass(frozen=True)
class Pages:
    every: dict[str, Page]  # page path → the page, for every page but the two indexes
    render: frozenset[str]  # the paths of the pages this build renders; the others are linked
    years: tuple[int, ...]  # the years the ranking pages cover

    def _keys(self, kind: str) -> frozenset:
        return frozenset(self.every[path].key for path in self.render if self.every[path].kind == kind)

    # Each set is made once per plan: the build asks for them page by page.
    @cached_property
    def agencies(self) -> frozenset[str]:
        return self._keys("agency")

    @cached_property
    def rules(self) -> frozenset[str]:
        return self._keys("rule")

    @property
    def files(self) -> bool:
        return FILES_PAGE in self.render

    @cached_property
    def rankings(self) -> frozenset[tuple[str, int]]:
        return self._keys("rank")

    @cached_property
    def kept(self) -> tuple[str, ...]:
        return tuple(path for path in self.every if path not in self.render)

    def rendering_also(self, paths: set[str]) -> Pages:
        return replace(self, render=self.render | paths)


def agency_page(agency_id: str) -> str:
    return f"agency/{agency_id}.html"


def rule_page(check_name: str) -> str:
    return f"rule/{check_name}.html"


def ranking_page(metric: str, year: int) -> str:
    return f"rank/{metric}-{year}.html"


FILES_PAGE = "files.html"


def _links(agencies: dict[str, dict], departments: dict[str, list[str]], agency_id: str) -> str:
    """What an agency's page shows of other agencies: a page whose links changed (a department
    added or gone, a government renamed) is rendered again."""
    a = agencies[agency_id]
    parent = agencies.get(a["parent_id"])
    names = [a["name"], parent["name"] if parent else ""]
    names += (f"{d}\x1e{agencies[d]['name']}" for d in sorted(departments.get(agency_id, [])))
    return hashlib.md5("\x1f".join(names).encode()).hexdigest()[:16]


def read_manifest(site: Path) -> dict[str, str]:
    try:
        manifest = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def write_manifest(site: Path, pages: Pages) -> None:
    fingerprints = {path: page.fingerprint for path, page in pages.every.items()}
    (site / MANIFEST).write_text(json.dumps(fingerprints, ensure_ascii=False, sort_keys=True), encoding="utf-8")


def plan(
    agencies: dict[str, dict],
    departments: dict[str, list[str]],
    rules: list[str],
    metrics: list[str],
    years: list[int],
    fingerprints: list[dict],
    previous: dict[str, str] | None,
    rewrite: set[str | None] | None,
) -> Pages:
    """The pages to render. Without `previous` (the previous site's manifest) and `rewrite` (the
    agency_ids the build recomputed; None for files without an agency), every page."""
    shown = {f["page"]: f for f in fingerprints}

    def fingerprint(path: str) -> str:
        return (shown.get(path) or {}).get("fingerprint") or ""

    def touched(path: str) -> bool:
        return any(a in rewrite for a in (shown.get(path) or {}).get("agencies") or [])

    year_links = ",".join(map(str, years))
    every: dict[str, Page] = {}
    recomputed: set[str] = set()
    for a in agencies:
        every[agency_page(a)] = Page("agency", a, _links(agencies, departments, a))
        if rewrite is not None and (a in rewrite or any(d in rewrite for d in departments.get(a, []))):
            recomputed.add(agency_page(a))
    for name in rules:
        every[rule_page(name)] = Page("rule", name, fingerprint(rule_page(name)))
    every[FILES_PAGE] = Page("files", None, fingerprint(FILES_PAGE))
    for metric in metrics:
        for year in years:
            path = ranking_page(metric, year)
            every[path] = Page("rank", (metric, year), f"{fingerprint(path)} {year_links}")
    if previous is None or rewrite is None:
        return Pages(every, frozenset(every), tuple(years))
    recomputed |= {path for path, page in every.items() if page.kind in ("rule", "files") and touched(path)}
    render = {path for path, page in every.items() if path in recomputed or previous.get(path) != page.fingerprint}
    return Pages(every, frozenset(render), tuple(years))
