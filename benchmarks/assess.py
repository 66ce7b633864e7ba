"""assess on many units against a loop of audit calls, measured in one run, one process.

    python benchmarks/assess.py                       # 200 units x 2,000 rows per ledger
    python benchmarks/assess.py --units 20 --rows 500 -o /tmp/bench-assess

Each unit's folder holds a 公文台账 and a 依申请公开登记台账 from ``generate.py`` (its own
seed), named as offices name them. Timed, in the same process and on the same files:

- ``loop``: what an assessor writes without ``assess``: the rulebook loaded once, then one
  ``audit`` call per unit (reading its files). With one book both reuse its compiled
  expressions (``compiled.py``), so the ratio shows what ``assess`` adds (finding the files,
  ranking) more than what it saves;
- ``assess``: ``disclosure_rules.assess`` on the folder (finding the files, every audit, the
  ranking), then ``Assessment.write`` timed apart (every unit's report, result and list,
  index.html, ranking.xlsx, assessment.json);
- ``single``: the single-ledger form: every unit's rows in one ledger per dataset with a
  unit column, read once and split per unit (``assessment.split_by_unit``), its units judged
  in one pass over the rules (``engine.audit_units``: a row-wise rule once over the whole
  ledger, its verdict taken at each unit's rows);
- ``single, unit by unit``: the same, with each unit's rows audited on their own (a loop of
  ``audit`` calls over the split, as before the one pass): the one pass's yardstick.

The figures are ratios against ``loop``; nothing is asserted about time.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", HERE / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_units(root: Path, units: int, rows: int) -> Path:
    gen = _generator()
    folder = root / "units"
    for i in range(units):
        sub = folder / f"单位{i + 1:03d}"
        if (sub / "依申请公开登记台账.csv").exists():
            continue
        paths = gen.generate(rows, sub, seed=2021 + i, rate=0.01)
        paths["documents"].rename(sub / "公文台账.csv")
        paths["requests"].rename(sub / "依申请公开登记台账.csv")
        paths["planted"].unlink()
    return folder


def make_single(root: Path, folder: Path) -> tuple[Path, object]:
    """One ledger per dataset holding every unit (a unit column), and a rulebook naming it."""
    import yaml

    single = root / "single"
    single.mkdir(exist_ok=True)
    for dataset, name, skip, encoding in (("documents", "公文台账.csv", 1, "gb18030"),
                                          ("requests", "依申请公开登记台账.csv", 2, "utf-8-sig")):
        parts = [pd.read_csv(sub / name, skiprows=skip, encoding=encoding, dtype=str, keep_default_na=False)
                 .assign(单位=sub.name) for sub in sorted(folder.iterdir())]
        pd.concat(parts, ignore_index=True).to_csv(single / name, index=False, encoding="utf-8-sig")
    unit = {"unit": "unit", "fields": {"unit": {"type": "string", "aliases": ["单位"]}}}
    data = {"extends": "builtin:shanxi-commerce-2021", "datasets": {"documents": unit, "requests": unit}}
    book = root / "single-unit-book.yaml"
    book.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return single, book


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--rows", type=int, default=2000, help="rows per ledger and unit")
    parser.add_argument("-o", "--workdir", type=Path, help="where the units are generated (default: a temp folder)")
    parser.add_argument("--skip-write", action="store_true", help="leave out Assessment.write (the slowest step)")
    args = parser.parse_args(argv)

    from disclosure_rules import assess, audit, load_rulebook

    root = args.workdir or Path(tempfile.mkdtemp(prefix="bench-assess-"))
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    folder = make_units(root, args.units, args.rows)
    single, single_book = make_single(root, folder)
    print(f"{args.units} units x {args.rows:,} rows per ledger in {root} "
          f"(generated in {time.perf_counter() - started:.1f} s)", file=sys.stderr)
    as_of = "2021-12-31"
    book = load_rulebook("builtin:shanxi-commerce-2021")

    first = sorted(folder.iterdir())[0]  # warm up (imports, calendar) outside the timings
    audit(book, {"documents": first / "公文台账.csv", "requests": first / "依申请公开登记台账.csv"}, as_of=as_of)

    t0 = time.perf_counter()
    for sub in sorted(folder.iterdir()):
        audit(book, {"documents": sub / "公文台账.csv", "requests": sub / "依申请公开登记台账.csv"},
              as_of=as_of, unit=sub.name)
    loop = time.perf_counter() - t0

    t0 = time.perf_counter()
    assessment = assess(book, folder, as_of=as_of)
    assessed = time.perf_counter() - t0
    t0 = time.perf_counter()
    if not args.skip_write:
        assessment.write(root / "out")
    written = time.perf_counter() - t0

    t0 = time.perf_counter()
    platform = assess(load_rulebook(single_book), single, as_of=as_of)
    single_time = time.perf_counter() - t0
    same = list(platform.ranking["total"].round(6)) == list(assessment.ranking["total"].round(6))

    import disclosure_rules.engine as engine

    def unit_by_unit(book, whole, units, *, as_of=None, waivers=None, progress=None):
        return engine.each_alone(book, units, as_of=as_of, waivers=waivers)

    one_pass, engine.audit_units = engine.audit_units, unit_by_unit
    try:
        t0 = time.perf_counter()
        looped = assess(load_rulebook(single_book), single, as_of=as_of)
        single_loop = time.perf_counter() - t0
    finally:
        engine.audit_units = one_pass
    same_pass = [u.result.to_dict(json_findings=None)["rules"] for u in platform.units] == \
        [u.result.to_dict(json_findings=None)["rules"] for u in looped.units]

    print(f"{'step':<40} {'seconds':>9} {'vs loop':>8}")
    for name, seconds in (("loop of audit calls", loop), ("assess (find, audit, rank)", assessed),
                          ("assess: write every output", written), ("assess, single ledger (one pass)", single_time),
                          ("assess, single ledger, unit by unit", single_loop)):
        print(f"{name:<40} {seconds:9.2f} {seconds / loop:8.2f}")
    print(f"per unit: loop {1000 * loop / args.units:.0f} ms, assess {1000 * assessed / args.units:.0f} ms; "
          f"single-ledger totals equal the folder's: {same}; one pass / unit by unit: {single_time / single_loop:.2f} "
          f"(the rules' results identical: {same_pass})")


if __name__ == "__main__":
    main()
