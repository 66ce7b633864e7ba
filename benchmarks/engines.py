"""The audit on each engine against the floors and the hand-written peer, as ratios, in one run.

    python benchmarks/engines.py                                   # 100k, 1M (documents + requests each)
    nice python benchmarks/engines.py --sizes 100k,1M,5M --json /tmp/engines.json
    python benchmarks/engines.py --sizes 1M --only audit-duckdb,baseline   # rerun some lines

For each size (ledgers from ``generate.py``, made into ``--data/<size>`` if missing), each
measurement is a fresh child process, one after the other; wall clock and peak RSS come from
``wait4`` (the child's own rusage, as ``run.py`` measures):

- ``tokenize``: read every byte of both files and count the line ends (the physical floor);
- ``pyarrow``: ``pyarrow.csv.read_csv`` of both files, GB18030 transcoded first in 16 MiB
  pieces (DESIGN §13's floor);
- ``pandas``: ``pandas.read_csv(dtype=str)`` of both files with their encodings;
- ``baseline``: ``duckdb_baseline.py``, the built-in rules written by hand in DuckDB SQL, with
  its findings table written out (the peer);
- ``audit-pandas`` / ``audit-duckdb``: ``disclosure-rules audit --engine E --json --html``
  (the whole CLI: rulebook, read, type, rules, scores, JSON, HTML);
- ``export``: one child that audits (pandas engine) and then writes the findings export, CSV
  then XLSX (XLSX only up to ``--xlsx-max`` rows, it is slow); it reports findings per second
  (of wall time, and of the child's CPU time for the CSV: the figure another session's load
  moves least) and the peak RSS before and after each export.

Then a markdown table: seconds and GiB per line and size, the ratios audit/baseline,
audit/pyarrow and the RSS ratio audit/baseline, and the cost per row of each line across the
sizes (linearity). The machine is shared: compare the ratios of one run, not seconds across runs.
``--json`` keeps the raw numbers; ``--only`` reruns some lines (e.g. after the DuckDB engine
changed). The violation counts of the baseline and of both audits are compared per rule.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from run import label, parse_size  # noqa: E402 - sizes are named as run.py names them (10k, 1M)
PY = sys.executable
CLI = str(Path(PY).parent / "disclosure-rules")

TOKENIZE = r"""
import sys
lines = 0
for path in sys.argv[1:]:
    with open(path, "rb", buffering=0) as f:
        while piece := f.read(16 << 20):
            lines += piece.count(b"\n")
print(lines)
"""

PYARROW = r"""
import codecs, io, sys
import pyarrow.csv as pv
def utf8(path, encoding):
    decoder, out = codecs.getincrementaldecoder(encoding)(), io.BytesIO()
    with open(path, "rb") as f:
        while piece := f.read(16 << 20):
            out.write(decoder.decode(piece).encode("utf-8"))
    out.write(decoder.decode(b"", final=True).encode("utf-8"))
    return out.getvalue()
docs = pv.read_csv(io.BytesIO(utf8(sys.argv[1], "gb18030")), read_options=pv.ReadOptions(skip_rows=1))
reqs = pv.read_csv(sys.argv[2], read_options=pv.ReadOptions(skip_rows=2))  # Arrow skips the UTF-8 BOM
print(docs.num_rows + reqs.num_rows, docs.nbytes + reqs.nbytes)
"""

PANDAS = r"""
import sys, pandas as pd
d = pd.read_csv(sys.argv[1], dtype=str, encoding="gb18030", skiprows=1)
r = pd.read_csv(sys.argv[2], dtype=str, encoding="utf-8-sig", skiprows=2)
print(len(d) + len(r))
"""

EXPORT = r"""
import json, resource, sys, time
from disclosure_rules import audit, load_rulebook
data, out, xlsx = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # GiB (ru_maxrss in KiB)
def cpu():  # user + system seconds of this process: what another session's load changes least
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
book = load_rulebook("builtin:shanxi-commerce-2021")
result = audit(book, {"documents": f"{data}/documents.csv", "requests": f"{data}/requests.csv"}, as_of="2021-12-31")
n = result.finding_counts()["total"]
report = {"findings": n, "rss_audit": rss()}
start, used = time.perf_counter(), cpu()
result.write_findings(f"{out}/findings.csv")
report["csv"], report["csv_cpu"] = time.perf_counter() - start, cpu() - used
report["rss_csv"] = rss()
start, used = time.perf_counter(), cpu()
result.write_findings(f"{out}/findings-again.csv")
report["csv_warm"], report["csv_warm_cpu"] = time.perf_counter() - start, cpu() - used  # messages built by then
if xlsx:
    start = time.perf_counter()
    result.write_findings(f"{out}/findings.xlsx")
    report["xlsx"] = time.perf_counter() - start
    report["rss_xlsx"] = rss()
print(json.dumps(report))
"""

LINES = ["tokenize", "pyarrow", "pandas", "baseline", "audit-pandas", "audit-duckdb", "export"]


def measured(args: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS GiB, stdout) of a child process: its own rusage, from wait4."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(ROOT))
    stdout, stderr = proc.stdout.read(), proc.stderr.read()  # read before waiting: no pipe stall
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise RuntimeError(f"{' '.join(args)} failed ({code}):\n{stderr.decode(errors='replace')[-3000:]}")
    return wall, usage.ru_maxrss / 2**20, stdout.decode("utf-8", errors="replace")


def ensure_data(n: int, base: Path) -> Path:
    folder = base / label(n)
    if not (folder / "documents.csv").exists() or not (folder / "requests.csv").exists():
        print(f"generating {label(n)} rows into {folder} ...", file=sys.stderr, flush=True)
        wall, _, _ = measured([PY, str(HERE / "generate.py"), str(n), "-o", str(folder)])
        print(f"  generated in {wall:.1f} s", file=sys.stderr, flush=True)
    return folder


def _counts(rules) -> dict:
    return {r["id"]: r["violations"] for r in rules if r["status"] != "not_assessed"}


def bench_size(n: int, base: Path, lines: list[str], xlsx_max: int, memory_limit: str | None) -> dict:
    folder = ensure_data(n, base)
    docs, reqs = str(folder / "documents.csv"), str(folder / "requests.csv")
    out = folder / "engines-out"
    out.mkdir(exist_ok=True)
    got: dict = {"rows": n}
    for line in lines:
        print(f"  {label(n)} {line} ...", file=sys.stderr, flush=True)
        if line == "tokenize":
            wall, rss, _ = measured([PY, "-c", TOKENIZE, docs, reqs])
        elif line == "pyarrow":
            wall, rss, _ = measured([PY, "-c", PYARROW, docs, reqs])
        elif line == "pandas":
            wall, rss, _ = measured([PY, "-c", PANDAS, docs, reqs])
        elif line == "baseline":
            args = [PY, str(HERE / "duckdb_baseline.py"), str(folder), str(out)]
            wall, rss, text = measured(args + (["--memory-limit", memory_limit] if memory_limit else []))
            report = json.loads(text.strip().splitlines()[-1])
            got["baseline_violations"] = {rule: c["violations"] for rule, c in report["rules"].items()}
            got["baseline_findings"] = report["findings"]
            got["baseline_steps"] = report["seconds"]
        elif line in ("audit-pandas", "audit-duckdb"):
            engine = line.split("-")[1]
            result = out / f"{engine}.json"
            wall, rss, _ = measured([CLI, "audit", "--engine", engine, "--data", f"documents={docs}",
                                     "--data", f"requests={reqs}", "--as-of", "2021-12-31",
                                     "--json", str(result), "--html", str(out / f"{engine}.html")])
            got[f"{line}_violations"] = _counts(json.loads(result.read_text(encoding="utf-8"))["rules"])
            result.unlink()
        elif line == "export":
            wall, rss, text = measured([PY, "-c", EXPORT, str(folder), str(out), "1" if n <= xlsx_max else "0"])
            got["export_report"] = json.loads(text.strip().splitlines()[-1])
        got[line] = {"wall": wall, "rss": rss}
    return got


def _fmt(v, unit=""):
    return "—" if v is None else f"{v:.2f}{unit}"


def print_report(results: list[dict]) -> None:
    sizes = [label(r["rows"]) for r in results]
    print(f"\nmachine: {os.cpu_count()} cores, load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    print("| wall s / peak RSS GiB | " + " | ".join(sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    names = {"tokenize": "tokenizing every byte (floor)", "pyarrow": "pyarrow read (GB18030 transcoded)",
             "pandas": "pandas read_csv(dtype=str)", "baseline": "hand-written DuckDB SQL (duckdb_baseline.py)",
             "audit-pandas": "`audit --engine pandas --json --html`", "audit-duckdb": "`audit --engine duckdb --json --html`"}
    for line, name in names.items():
        if not any(line in r for r in results):
            continue
        cells = [f"{r[line]['wall']:.1f} s / {r[line]['rss']:.2f}" if line in r else "—" for r in results]
        print(f"| {name} | " + " | ".join(cells) + " |")

    def ratio(r, a, b, key):
        return r[a][key] / r[b][key] if a in r and b in r else None

    for audit in ("audit-pandas", "audit-duckdb"):
        if not any(audit in r for r in results):
            continue
        for other, key, what in (("baseline", "wall", "time"), ("pyarrow", "wall", "time"), ("baseline", "rss", "peak RSS")):
            print(f"| **{audit} / {other}, {what}** | " + " | ".join(
                _fmt(ratio(r, audit, other, key), "x") for r in results) + " |")
    if any("export" in r for r in results):
        print("| findings in the export | " + " | ".join(
            f"{r['export_report']['findings']:,}" if "export" in r else "—" for r in results) + " |")
        print("| findings CSV, findings/s (cold: messages built; warm) | " + " | ".join(
            f"{r['export_report']['findings'] / r['export_report']['csv']:,.0f}; {r['export_report']['findings'] / r['export_report']['csv_warm']:,.0f}"
            if "export" in r else "—" for r in results) + " |")
        print("| findings CSV, findings per CPU second (user + sys; cold; warm) | " + " | ".join(
            f"{r['export_report']['findings'] / r['export_report']['csv_cpu']:,.0f}; {r['export_report']['findings'] / r['export_report']['csv_warm_cpu']:,.0f}"
            if "export" in r and "csv_cpu" in r["export_report"] else "—" for r in results) + " |")
        print("| findings XLSX, findings/s (peak RSS GiB after the audit → after the XLSX) | " + " | ".join(
            f"{r['export_report']['findings'] / r['export_report']['xlsx']:,.0f} ({r['export_report']['rss_csv']:.2f} → {r['export_report']['rss_xlsx']:.2f})"
            if "export" in r and "xlsx" in r["export_report"] else "—" for r in results) + " |")
    print("\nµs per row (documents + requests rows, wall / (2 x rows)):\n")
    print("| line | " + " | ".join(sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for line, name in names.items():
        if any(line in r for r in results):
            print(f"| {name} | " + " | ".join(
                f"{r[line]['wall'] / (2 * r['rows']) * 1e6:.2f}" if line in r else "—" for r in results) + " |")
    print()
    for r in results:
        base = r.get("baseline_violations")
        for audit in ("audit-pandas", "audit-duckdb"):
            counts = r.get(f"{audit}_violations")
            if base is not None and counts is not None:
                differ = sorted(k for k in set(base) | set(counts) if base.get(k) != counts.get(k))
                print(f"{label(r['rows'])}: violations per rule, baseline vs {audit}: "
                      + ("identical" if not differ else f"DIFFER on {differ}"))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1M", help="comma-separated row counts (each ledger)")
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "disclosure-rules-bench")
    parser.add_argument("--only", help=f"comma-separated lines to run, of {','.join(LINES)}")
    parser.add_argument("--skip", default="", help="comma-separated lines to leave out")
    parser.add_argument("--xlsx-max", type=parse_size, default=parse_size("1M"),
                        help="largest size whose findings are also exported to XLSX")
    parser.add_argument("--skip-pandas-above", type=parse_size, default=parse_size("10M"),
                        help="sizes above this leave out the pandas read, the pandas audit and the export "
                             "(the pandas engine needs ~1.6 GiB per million rows of each ledger)")
    parser.add_argument("--memory-limit", help="DuckDB memory_limit for the baseline, e.g. 8GB")
    parser.add_argument("--json", type=Path, help="write the raw numbers here")
    args = parser.parse_args(argv)
    lines = args.only.split(",") if args.only else list(LINES)
    lines = [line for line in lines if line not in args.skip.split(",")]
    unknown = set(lines) - set(LINES)
    if unknown:
        parser.error(f"unknown lines {sorted(unknown)}; choose from {LINES}")
    results = []
    for size in args.sizes.split(","):
        n = parse_size(size)
        todo = [line for line in lines if n <= args.skip_pandas_above or line not in ("pandas", "audit-pandas", "export")]
        print(f"benchmarking {label(n)}: {', '.join(todo)}", file=sys.stderr, flush=True)
        results.append(bench_size(n, args.data, todo, args.xlsx_max, args.memory_limit))
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
    print_report(results)


if __name__ == "__main__":
    main()
