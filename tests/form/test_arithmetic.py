"""The form's arithmetic (docs/form.md rules 2 and 4), and the synthetic corpus's own count of the
readings it allows, checked against the extractor's: two codes that must agree."""

import random
from decimal import Decimal

from pipeline.extract.stream import readings_adding_up
from pipeline.form.arithmetic import adds_up
from pipeline.form.codebook import rows_of
from pipeline.synth.corpus import _readings

D = [Decimal(n) for n in range(20)]


def test_rules_two_and_four():
    (appeals,) = rows_of("2021", "appeals")
    group = [D[1], D[2], D[0], D[0], D[3]]
    assert adds_up(appeals, group * 3)
    assert not adds_up(appeals, group * 2 + [D[1], D[2], D[0], D[0], D[4]])
    request = next(r for r in rows_of("2021", "requests") if r.has_applicants)
    width = len(request.facts_keys)
    assert adds_up(request, [D[1]] + [D[0]] * (width - 2) + [D[1]])
    assert not adds_up(request, [D[1]] + [D[0]] * (width - 2) + [D[2]])


def test_the_corpus_counts_the_readings_the_extractor_finds():
    (appeals,) = rows_of("2021", "appeals")
    rng = random.Random(7)
    ambiguous = 0
    for _ in range(300):
        cells = []
        for _group in range(3):
            parts = [D[rng.choice([0, 0, 1, 2, 5])] for _ in range(4)]
            cells += [*parts, sum(parts)]
        numbers = [v for v in cells if v or rng.random() < 0.5]  # some zeros left blank
        mine = _readings(appeals, numbers)
        theirs = readings_adding_up(appeals, numbers)
        assert mine == set(theirs), (cells, numbers)
        ambiguous += len(mine) > 1
    assert ambiguous  # the sample holds rows the arithmetic cannot place
