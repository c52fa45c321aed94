"""xxgk at scale, against the floor. One command prints every figure of the README's Performance
section:

    python benchmarks/bench.py                       # 1,000, 20,000 and 100,000 reports
    python benchmarks/bench.py --sizes 500           # a smoke run (about a minute)

For each size it builds a raw folder of native-text (docx-text) reports and measures, in this run:

* the floor: in one process, read every file, find every number token, and bulk-load 200 fact rows
  per report into a DuckDB table through Arrow (value cast from text to DECIMAL(38,6) as ours is) —
  the least any extractor must do;
* `xxgk extract` alone: the command line over every file, one shard per core in parallel (no
  warehouse), in reports/s;
* `xxgk run` end to end, wall time from the shell, into a fresh warehouse, with the peak RSS of the
  whole process tree (every /proc/<pid>/status VmRSS of the command and its descendants, summed,
  sampled every 0.1 s) and the CPU time of the tree;
* at the largest size: a rerun with nothing changed and a rerun after one changed file (which
  updates the published warehouse rather than rebuilding it).

Reports: `xxgk synth` writes --distinct reports (it is slow: each one is a generated document);
larger folders repeat them, each copy with a different agency in the title (`…第N副本`), so every
file is a distinct report of its own agency with its own 200 facts, not a byte-identical or
same-agency duplicate. The output says how many were generated and how many are copies.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
XXGK = [str(BIN / "xxgk")] if (BIN / "xxgk").exists() else [sys.executable, "-m", "pipeline"]
FILES_PER_FOLDER = 1000
EXTRACT_ARGS_PER_CALL = 4000  # file names per `xxgk extract` call (the command line has a limit)
FACTS_PER_REPORT = 200
FLOOR_CHUNK = 5000  # reports per Arrow table loaded by the floor
_NUMBER = re.compile(rb"\d+(?:\.\d+)?")


# -- the machine --------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = 0
    try:
        ram = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1]) * 1024
    except (OSError, TypeError):
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(ram / 2**30, 1),
        "python": platform.python_version(),
        "loadavg_start": os.getloadavg()[0],
    }


# -- the process tree's memory ------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = Path(f"/proc/{d}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def tree_rss(root: int) -> int:
    """Bytes resident in `root` and all its descendants right now."""
    kids = _children()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(kids.get(pid, ()))
        try:
            m = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
        except OSError:
            continue
        if m:
            total += int(m[1]) * 1024
    return total


class Measured:
    def __init__(self, wall: float, cpu: float, peak_rss: int, out: str):
        self.wall, self.cpu, self.peak_rss, self.out = wall, cpu, peak_rss, out


def measure(cmd: list[str], **kwargs) -> Measured:
    """Run cmd to completion: wall time, CPU time of the whole tree, peak RSS of the whole tree."""
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    before = os.times()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, **kwargs)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(proc.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
    proc.wait()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    after = os.times()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])[:200]} … failed ({proc.returncode}):\n{out[-3000:]}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return Measured(wall, cpu, peak[0], out)


# -- the corpus ---------------------------------------------------------------------------------


def synth(work: Path, n: int, seed: int, rendering: str = "docx-text") -> tuple[Path, float]:
    """A synth corpus of one rendering, made once and reused; returns it and the seconds it took."""
    out = work / (f"synth-{n}-{seed}" if rendering == "docx-text" else f"synth-{rendering}-{n}-{seed}")
    if not (out / "manifest.csv").exists():
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run(
            [*XXGK, "synth", "--n", str(n), "--out", str(out), "--seed", str(seed), "--renderings", rendering],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (out / "seconds").write_text(f"{time.perf_counter() - started:.1f}")
    return out, float((out / "seconds").read_text())


def _copy_of(data: bytes, agency: str, k: int) -> bytes:
    """The report with its agency renamed `<agency>第k副本` everywhere, in its own encoding."""
    from pipeline.text.decode import decode

    decoded = decode(data)
    assert decoded.text is not None and agency in decoded.text, agency
    text = decoded.text.replace(agency, f"{agency}第{k}副本")
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    return bom + text.encode(decoded.encoding)


def build_raw(work: Path, corpus: Path, n: int) -> tuple[Path, int]:
    """A raw folder of n distinct reports (folders of 1,000), made once; returns it and the
    number of copies in it."""
    raw = work / f"raw-{n}"
    with (corpus / "manifest.csv").open(encoding="utf-8") as f:
        sources = [(r["source_file"], r["agency"]) for r in csv.DictReader(f)]
    copies = max(0, n - len(sources))
    if (raw / ".complete").exists():
        return raw, copies
    shutil.rmtree(raw, ignore_errors=True)
    old = time.time() - 3600  # files are older than the run, as in life (no "racily clean" rehash)
    for i in range(n):
        name, agency = sources[i % len(sources)]
        data = (corpus / "reports" / name).read_bytes()
        k = i // len(sources)
        if k:
            data = _copy_of(data, agency, k)
        folder = raw / f"{i // FILES_PER_FOLDER:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{i:06d}.txt"
        path.write_bytes(data)
        os.utime(path, (old, old))
    (raw / ".complete").write_text("")
    return raw, copies


def raw_files(raw: Path) -> list[Path]:
    return sorted(p for p in raw.rglob("*.txt"))


# -- the floor ----------------------------------------------------------------------------------


def floor(files: list[Path], db: Path) -> tuple[float, float, int]:
    """Read every file, find its number tokens, load 200 rows per report through Arrow into a
    DuckDB table. Returns wall seconds, CPU seconds and rows loaded."""
    import duckdb
    import pyarrow as pa

    db.unlink(missing_ok=True)
    codes = [f"row_{k:03d}" for k in range(FACTS_PER_REPORT)]
    wall0, cpu0 = time.perf_counter(), time.process_time()
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE facts (report_id VARCHAR, row_code VARCHAR, value DECIMAL(38, 6), token INTEGER)")
    rows = 0
    for start in range(0, len(files), FLOOR_CHUNK):
        ids: list[str] = []
        values: list[str] = []
        for i, path in enumerate(files[start : start + FLOOR_CHUNK], start):
            tokens = _NUMBER.findall(path.read_bytes())[:FACTS_PER_REPORT]
            tokens += [b"0"] * (FACTS_PER_REPORT - len(tokens))
            ids.extend([str(i)] * FACTS_PER_REPORT)
            values.extend(t.decode() for t in tokens)
        n = len(ids) // FACTS_PER_REPORT
        chunk = pa.table(
            {
                "report_id": pa.array(ids, pa.string()),
                "row_code": pa.array(codes * n, pa.string()),
                "value": pa.array(values, pa.string()),
                "token": pa.array(list(range(FACTS_PER_REPORT)) * n, pa.int32()),
            }
        )
        con.execute("INSERT INTO facts SELECT report_id, row_code, CAST(value AS DECIMAL(38, 6)), token FROM chunk")
        rows += chunk.num_rows
    con.execute("CHECKPOINT")
    con.close()
    return time.perf_counter() - wall0, time.process_time() - cpu0, rows


# -- xxgk ---------------------------------------------------------------------------------------


def extract_alone(files: list[Path], procs: int, work: Path) -> Measured:
    """`xxgk extract` over every file: `procs` shards in parallel, each fed by xargs in calls of
    up to EXTRACT_ARGS_PER_CALL names (a command line has a length limit)."""
    jobs = []
    for k in range(procs):
        shard = files[k::procs]
        if not shard:
            continue
        listing = work / f"extract-shard-{k}.txt"
        listing.write_text("".join(f"{p}\n" for p in shard), encoding="utf-8")
        xxgk = " ".join(_sh(a) for a in XXGK)
        jobs.append(f"xargs -d '\\n' -n {EXTRACT_ARGS_PER_CALL} -a {_sh(str(listing))} {xxgk} extract >/dev/null &")
    # stderr names incomplete or rejected files; synthetic reports are all ok, so it stays short.
    return measure(["bash", "-c", " ".join(jobs) + " wait"])


def _sh(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


def xxgk_run(raw: Path, warehouse: Path) -> Measured:
    return measure([*XXGK, "run", "--raw", str(raw), "--warehouse", str(warehouse), "--quiet"])


def _facts_loaded(out: str) -> int:
    m = re.search(r"facts loaded: (\d+)", out)
    return int(m[1]) if m else -1


# -- the run ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,20000,100000", help="comma-separated report counts")
    parser.add_argument("--distinct", type=int, default=5000, help="reports generated by xxgk synth; larger sizes use copies")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("/tmp/xxgk-bench"), help="corpus and warehouses (reused between runs)")
    parser.add_argument("--procs", type=int, default=os.cpu_count() or 1, help="parallel `xxgk extract` shards")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    args.work.mkdir(parents=True, exist_ok=True)

    info = machine()
    print(
        f"machine: {info['nproc']} cores, {info['cpu']}, {info['ram_gb']} GB RAM, Python {info['python']}, "
        f"load average {info['loadavg_start']:.2f} at start",
        flush=True,
    )
    distinct = min(args.distinct, max(sizes))
    corpus, synth_seconds = synth(args.work, distinct, args.seed)
    print(
        f"corpus: {distinct:,} reports from `xxgk synth --n {distinct} --seed {args.seed}` (docx-text, "
        f"{synth_seconds:.0f} s to generate); larger folders repeat them with the agency renamed, so every "
        f"file is a distinct report",
        flush=True,
    )

    results: dict = {"machine": info, "distinct": distinct, "sizes": {}}
    for n in sizes:
        raw, copies = build_raw(args.work, corpus, n)
        files = raw_files(raw)
        assert len(files) == n
        mb = sum(p.stat().st_size for p in files) / 1e6
        print(f"\n== {n:,} reports ({n - copies:,} generated, {copies:,} renamed copies; {mb:,.0f} MB) ==", flush=True)
        r: dict = {"copies": copies, "mb": round(mb, 1)}

        fw, fc, frows = floor(files, args.work / f"floor-{n}.duckdb")
        r["floor"] = {"wall": fw, "cpu": fc, "rows": frows}
        print(
            f"floor (read, number tokens, {FACTS_PER_REPORT} rows/report via Arrow into DuckDB, 1 process): "
            f"{fw:,.1f} s ({n / fw:,.0f} reports/s), {frows:,} rows",
            flush=True,
        )

        ex = extract_alone(files, args.procs, args.work)
        r["extract"] = {"wall": ex.wall, "cpu": ex.cpu, "procs": args.procs}
        print(
            f"xxgk extract alone ({args.procs} processes in parallel): {ex.wall:,.1f} s, {n / ex.wall:,.0f} reports/s "
            f"({n / ex.cpu:,.0f} reports per CPU-second)",
            flush=True,
        )

        wh = args.work / f"warehouse-{n}" / "xxgk.duckdb"
        shutil.rmtree(wh.parent, ignore_errors=True)
        run = xxgk_run(raw, wh)
        loaded = _facts_loaded(run.out)
        r["run"] = {"wall": run.wall, "cpu": run.cpu, "peak_rss": run.peak_rss, "facts": loaded}
        print(
            f"xxgk run (fresh warehouse): {run.wall:,.1f} s wall ({n / run.wall:,.0f} reports/s), {run.cpu:,.1f} CPU-s, "
            f"peak RSS of the process tree {run.peak_rss / 2**20:,.0f} MB, {loaded:,} facts loaded",
            flush=True,
        )
        r["ratio"] = run.wall / fw
        print(f"xxgk run / floor: {r['ratio']:.1f}x", flush=True)

        if n == sizes[-1]:
            again = xxgk_run(raw, wh)
            assert "warehouse unchanged" in again.out, again.out
            changed = files[len(files) // 2]
            original, st = changed.read_bytes(), changed.stat()
            changed.write_bytes(_edited(original))
            one = xxgk_run(raw, wh)
            assert "1 extracted" in one.out and "warehouse updated" in one.out, one.out
            changed.write_bytes(original)  # as it was, so the folder can be reused
            os.utime(changed, ns=(st.st_atime_ns, st.st_mtime_ns))
            r["rerun_unchanged"] = {"wall": again.wall, "cpu": again.cpu, "share": again.wall / run.wall}
            r["rerun_one_changed"] = {"wall": one.wall, "cpu": one.cpu, "share": one.wall / run.wall}
            print(f"rerun, nothing changed: {again.wall:,.1f} s = {again.wall / run.wall:.1%} of the full run", flush=True)
            print(f"rerun, one file changed: {one.wall:,.1f} s = {one.wall / run.wall:.1%} of the full run", flush=True)
        results["sizes"][n] = r

    info["loadavg_end"] = os.getloadavg()[0]
    _summary(results, sizes)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


def _edited(data: bytes) -> bytes:
    """The report with a line of prose added at its end, in its own encoding."""
    from pipeline.text.decode import decode

    decoded = decode(data)
    assert decoded.text is not None
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    return bom + (decoded.text + "\n本报告在基准测试中修改过。\n").encode(decoded.encoding)


def _summary(results: dict, sizes: list[int]) -> None:
    m = results["machine"]
    print(
        f"\n== summary ({m['nproc']} cores, {m['cpu']}, {m['ram_gb']} GB; load average {m['loadavg_start']:.1f} → "
        f"{m['loadavg_end']:.1f}) =="
    )
    print(f"{'reports':>9} {'floor s':>8} {'extract/s':>10} {'run s':>8} {'run/s':>7} {'run/floor':>9} {'peak RSS':>9}")
    for n in sizes:
        r = results["sizes"][n]
        print(
            f"{n:>9,} {r['floor']['wall']:>8.1f} {n / r['extract']['wall']:>10,.0f} {r['run']['wall']:>8.1f} "
            f"{n / r['run']['wall']:>7,.0f} {r['ratio']:>8.1f}x {r['run']['peak_rss'] / 2**20:>7,.0f}MB"
        )
    last = results["sizes"][sizes[-1]]
    if "rerun_unchanged" in last:
        print(
            f"at {sizes[-1]:,}: rerun unchanged {last['rerun_unchanged']['wall']:.1f} s "
            f"({last['rerun_unchanged']['share']:.1%} of the full run, target < 10%), one file changed "
            f"{last['rerun_one_changed']['wall']:.1f} s ({last['rerun_one_changed']['share']:.1%}, target < 15%)"
        )
    print(
        f"targets at {sizes[-1]:,}: run/floor {last['ratio']:.1f}x (target ≤ 2x), peak RSS "
        f"{last['run']['peak_rss'] / 2**30:.2f} GB (target < 1.5 GB)"
    )


if __name__ == "__main__":
    sys.exit(main())
