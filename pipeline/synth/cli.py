"""`xxgk synth` and `xxgk accuracy`, for the lead's argparse command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.synth import accuracy, convert, corpus
from pipeline.synth.deviations import DEVIATION_KINDS
from pipeline.synth.plants import PLANT_KINDS


def _names(allowed: tuple[str, ...]):
    def parse(text: str) -> tuple[str, ...]:
        names = tuple(n.strip() for n in text.split(",") if n.strip())
        unknown = [n for n in names if n not in allowed]
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown {', '.join(unknown)}; choose from {', '.join(allowed)}")
        return names

    return parse


def add_synth_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("synth", help="write synthetic reports with ground truth")
    p.add_argument("--n", type=int, required=True, help="number of reports")
    p.add_argument("--out", type=Path, required=True, help="directory to write")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--renderings", type=_names(corpus.RENDERINGS), default=("docx-text",), help=f"comma-separated, from {', '.join(corpus.RENDERINGS)}"
    )
    p.add_argument("--form", choices=("2019", "2021", "both"), default="2021")
    p.add_argument("--years", type=int, default=1, help="consecutive years per agency")
    p.add_argument("--plant", type=_names(PLANT_KINDS), default=(), help=f"comma-separated errors to plant, from {', '.join(PLANT_KINDS)}")
    p.add_argument(
        "--deviate",
        type=_names(DEVIATION_KINDS),
        default=(),
        help=f"comma-separated ways real reports bend the form, each given to a share of the "
        f"reports without a planted error, from {', '.join(DEVIATION_KINDS)}",
    )
    p.add_argument(
        "--every-rendering",
        action="store_true",
        help="write each report in every rendering of --renderings (the same facts in each file; "
        "a raw folder then holds each report several times)",
    )
    p.set_defaults(func=run_synth)
    return p


def run_synth(args: argparse.Namespace) -> int:
    if args.n < 1 or args.years < 1:
        print("--n and --years must be at least 1", file=sys.stderr)
        return 2
    options = corpus.Options(args.n, args.seed, args.renderings, args.form, args.years, args.plant, args.every_rendering, args.deviate)
    try:
        skipped = corpus.write(options, args.out)
    except convert.ConversionError as e:
        print(f"xxgk synth: {e}", file=sys.stderr)
        return 1
    for why in skipped:
        print(f"skipped: {why}", file=sys.stderr)
    if len(skipped) == len(set(args.renderings)):
        return 1
    print(f"wrote {args.n} reports and their ground truth to {args.out}")
    return 0


def add_accuracy_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("accuracy", help="compare extraction on a synth corpus with its ground truth")
    p.add_argument("dir", type=Path)
    p.set_defaults(func=run_accuracy)
    return p


def run_accuracy(args: argparse.Namespace) -> int:
    if not (args.dir / "manifest.csv").exists():
        print(f"{args.dir} is not a synth corpus (no manifest.csv)", file=sys.stderr)
        return 2
    by_rendering, by_deviation = accuracy.score_by(args.dir)
    print(accuracy.table(by_rendering))
    if set(by_deviation) != {accuracy.NO_DEVIATION}:
        print()
        print(accuracy.table(by_deviation, "deviation"))
    return 0
