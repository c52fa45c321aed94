"""Plausible cell values for one report that satisfy the form's arithmetic (docs/form.md rules 1–5)."""

from __future__ import annotations

import random
from decimal import Decimal

from pipeline.form.codebook import APPLICANT_CLASSES, rows_of

Key = tuple[str, str, str | None]
CLASSES = APPLICANT_CLASSES[:-1]  # the six that sum to 总计
# Natural persons file most requests; organisations a few.
_CLASS_SCALE = {
    "natural_person": 60,
    "commercial_enterprise": 6,
    "research_institution": 1,
    "social_welfare_org": 1,
    "legal_service_org": 2,
    "other_org": 2,
}
# Most requests are granted or the information is not held; the rest are rare outcomes.
_RESULT_WEIGHT = {
    "result.granted": 30,
    "result.partial": 6,
    "result.unable.not_held": 15,
    "result.not_processed.petition": 4,
    "result.other.other": 3,
    "result.other": 3,
}


def _count(rng: random.Random, scale: float) -> int:
    """Heavy-tailed: most agencies see few requests, a handful see thousands."""
    if rng.random() < 0.25:
        return 0
    return int(rng.expovariate(1 / scale) * rng.choice((1, 1, 1, 3, 20)))


def result_codes(form_version: str) -> list[str]:
    return [r.cells[0] for r in rows_of(form_version, "requests") if r.cells[0].startswith("result.") and r.cells[0] != "result.total"]


def requests(rng: random.Random, form_version: str, carried_over: dict[str, int]) -> dict[Key, Decimal]:
    results = result_codes(form_version)
    weights = [_RESULT_WEIGHT.get(code, 0.4) for code in results]
    out: dict[Key, Decimal] = {}
    for cls in CLASSES:
        new = _count(rng, _CLASS_SCALE[cls])
        carried = carried_over.get(cls, 0)
        forward = rng.randint(0, (new + carried) // 8) if new + carried else 0
        done = new + carried - forward
        spread = dict.fromkeys(results, 0)
        for code in rng.choices(results, weights, k=done):
            spread[code] += 1
        cells = {"new_received": new, "carried_over": carried, **spread, "result.total": done, "carried_forward": forward}
        for code, n in cells.items():
            out[("requests", code, cls)] = Decimal(n)
    for row in rows_of(form_version, "requests"):
        code = row.cells[0]
        out[("requests", code, "total")] = sum((out[("requests", code, c)] for c in CLASSES), Decimal(0))
    return out


def appeals(rng: random.Random) -> dict[Key, Decimal]:
    out: dict[Key, Decimal] = {}
    for group in ("review", "suit_direct", "suit_after_review"):
        parts = [_count(rng, 2) if rng.random() < 0.5 else 0 for _ in range(4)]
        for code, n in zip(("upheld", "corrected", "other", "pending"), parts):
            out[("appeals", f"{group}.{code}", None)] = Decimal(n)
        out[("appeals", f"{group}.total", None)] = Decimal(sum(parts))
    return out


def proactive(rng: random.Random, form_version: str, in_force: dict[str, int]) -> dict[Key, Decimal]:
    """`in_force` carries 现行有效件数 across years, so rule 7 holds in a series."""
    out: dict[Key, Decimal] = {}

    def put(code: str, value: int | Decimal) -> None:
        out[("proactive", code, None)] = Decimal(value)

    if form_version == "2021":
        for doc in ("regulations", "normative_documents"):
            issued = rng.randint(0, 3 if doc == "regulations" else 40) if rng.random() < 0.5 else 0
            before = in_force.get(doc, rng.randint(0, 30 if doc == "regulations" else 800))
            repealed = rng.randint(0, min(before, 20))
            in_force[doc] = before + issued - repealed
            put(f"{doc}.issued", issued)
            put(f"{doc}.repealed", repealed)
            put(f"{doc}.in_force", in_force[doc])
        for code in ("licensing", "penalty", "enforcement"):
            put(f"{code}.decisions", _count(rng, 400))
        put("fees.amount_10k_yuan", _amount(rng, 4))
        return out
    for doc in ("regulations", "normative_documents"):
        made = rng.randint(0, 12) if rng.random() < 0.5 else 0
        put(f"{doc}.made", made)
        put(f"{doc}.published", made)
        put(f"{doc}.public_total", made + rng.randint(0, 200))
    for code in ("licensing", "other_services", "penalty", "enforcement", "fees"):
        prior = rng.randint(0, 120) if rng.random() < 0.6 else 0
        put(f"{code}.prior_items", prior)
        put(f"{code}.change", rng.randint(-min(prior, 5), 5) if prior else 0)
        if code != "fees":
            put(f"{code}.decisions", _count(rng, 300))
    put("procurement.items", items := (rng.randint(0, 40) if rng.random() < 0.6 else 0))
    put("procurement.amount", _amount(rng, 2) * 10000 if items else 0)
    return out


def _amount(rng: random.Random, places: int) -> Decimal:
    if rng.random() < 0.4:
        return Decimal(0)
    return Decimal(rng.randint(1, 10 ** (places + 5))).scaleb(-places).normalize()
