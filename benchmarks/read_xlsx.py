"""Time reading a 1M-row XLSX through calamine (now) and openpyxl read_only (before); CSV before/after.

    python benchmarks/read_xlsx.py --data /tmp/dr-bench/1M            # XLSX: new vs old, one run each
    python benchmarks/read_xlsx.py --data /tmp/dr-bench/1M --csv 3    # also the CSV path, best of 3

``--data`` is a folder written by ``generate.py`` (``documents.csv``, GB18030, one title
row). ``documents.xlsx`` is made from it if missing: the same title row, header and
cells, strings shared as Excel writes them, a numeric 序号 column in front. openpyxl's
cell-by-cell writer would take many minutes for a million rows, so the sheet XML is
built by pyarrow string kernels, 100,000 rows at a time.

Each measurement is a fresh child process, timed from the outside (wall clock, peak RSS
from ``wait4``): ``reading.read_table`` of the working tree against the same call in
commit ``--old`` (default: the commit before calamine; its reader is openpyxl
``read_only``), unpacked with ``git archive`` into a temporary folder. Bare floors are
timed too: calamine's ``to_python`` of the sheet and openpyxl's ``iter_rows``.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OLD = "821d4d4"  # reading.py before python-calamine: openpyxl read_only, CSV as it was
CHUNK = 100_000

READ = """
import sys, time
from disclosure_rules import reading
from disclosure_rules.rulebook import load_rulebook
book = load_rulebook(sys.argv[1])
start = time.perf_counter()
raw = reading.read_table(sys.argv[2], book.datasets[sys.argv[2]], sys.argv[3])
print(time.perf_counter() - start, len(raw.rows))
"""
CALAMINE = """
import sys, time, python_calamine
start = time.perf_counter()
book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
print(time.perf_counter() - start, len(rows))
"""
OPENPYXL = """
import sys, time, openpyxl
start = time.perf_counter()
book = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
sheet = book.worksheets[0]
sheet.reset_dimensions()
rows = [r for r in sheet.iter_rows(values_only=True)]
print(time.perf_counter() - start, len(rows))
"""


# ------------------------------------------------------------------ writing the workbook
def _escape(array):
    import pyarrow.compute as pc

    for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        array = pc.replace_substring(array, raw, entity)
    return array


def _letters(n: int) -> str:
    text = ""
    while True:
        n, r = divmod(n, 26)
        text = chr(65 + r) + text
        if n == 0:
            return text
        n -= 1


def make_xlsx(csv_path: Path, xlsx_path: Path, encoding: str = "gb18030") -> None:
    """documents.csv -> documents.xlsx: title row, header, every cell as a shared string."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv as pa_csv

    data = csv_path.read_bytes().decode(encoding).encode("utf-8")
    lines = data.split(b"\n", 2)
    title = lines[0].decode().split(",")[0].strip()
    table = pa_csv.read_csv(io.BytesIO(lines[1] + b"\n" + lines[2]),
                            convert_options=pa_csv.ConvertOptions(strings_can_be_null=True),
                            read_options=pa_csv.ReadOptions(block_size=1 << 24))
    table = table.cast(pa.schema([(name, pa.string()) for name in table.column_names]))
    header = ["序号", *table.column_names]
    strings = pc.unique(pa.chunked_array([c.combine_chunks() for c in table.columns] + [pa.array(header + [title])])
                        .drop_null())
    index = {}
    n = table.num_rows
    tmp = xlsx_path.with_suffix(".tmp.xlsx")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '</Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>'))
        archive.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="公文台账" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            '</Relationships>'))
        archive.writestr("xl/styles.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="1"><xf/></cellXfs></styleSheet>'))
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">'.encode())
            for start in range(0, len(strings), CHUNK):
                piece = _escape(strings.slice(start, CHUNK))
                items = pc.binary_join_element_wise('<si><t xml:space="preserve">', piece, "</t></si>", "")
                part.write("".join(items.to_pylist()).encode())
            part.write(b"</sst>")
        for i, text in enumerate(strings.to_pylist()):
            if text in (title, *header):
                index[text] = i
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                       b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            part.write(f'<row r="1"><c r="A1" t="s"><v>{index[title]}</v></c></row>'.encode())
            cells = "".join(f'<c r="{_letters(j)}2" t="s"><v>{index[h]}</v></c>' for j, h in enumerate(header))
            part.write(f'<row r="2">{cells}</row>'.encode())
            letters = [_letters(j) for j in range(len(header))]
            for start in range(0, n, CHUNK):
                piece = table.slice(start, CHUNK)
                m = piece.num_rows
                row_no = pc.cast(pa.array(np.arange(start + 3, start + 3 + m)), pa.string())
                serial = pc.cast(pa.array(np.arange(start + 1, start + 1 + m)), pa.string())
                parts = [pc.binary_join_element_wise(f'<c r="{letters[0]}', row_no, '"><v>', serial, "</v></c>", "")]
                for j, column in enumerate(piece.columns, start=1):
                    codes = pc.cast(pc.index_in(column, value_set=strings), pa.string())
                    cell = pc.binary_join_element_wise(f'<c r="{letters[j]}', row_no, '" t="s"><v>', codes, "</v></c>", "")
                    parts.append(pc.fill_null(cell, ""))
                rows = pc.binary_join_element_wise('<row r="', row_no, '">', *parts, "</row>", "")
                part.write("".join(rows.to_pylist()).encode())
            part.write(b"</sheetData></worksheet>")
    tmp.replace(xlsx_path)


# ------------------------------------------------------------------ measuring
def run_child(args: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) of a child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(ROOT), env=env)
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{stderr.decode(errors='replace')[-3000:]}")
    return wall, usage.ru_maxrss / 1024, stdout.decode().strip()


def old_tree(commit: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src", "rules"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def measure(label: str, script: str, args: list[str], src: Path | None = None) -> dict:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src / "src")
    wall, rss, out = run_child([sys.executable, "-c", script, *args], env)
    seconds, rows = out.split()
    result = {"what": label, "wall_s": round(wall, 2), "read_s": round(float(seconds), 2),
              "peak_rss_mib": round(rss), "rows": int(rows)}
    print(f"{label:44} read {float(seconds):7.2f} s   wall {wall:7.2f} s   peak RSS {rss:7.0f} MiB   rows {rows}",
          flush=True)
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a folder written by generate.py")
    parser.add_argument("--old", default=OLD, help=f"the commit to compare with (default {OLD})")
    parser.add_argument("--csv", type=int, default=0, help="also time the CSV path, best of N runs (new and old alternate)")
    parser.add_argument("--no-xlsx", action="store_true", help="skip the XLSX measurements")
    parser.add_argument("--no-floors", action="store_true", help="skip bare calamine / openpyxl")
    args = parser.parse_args(argv)
    rulebook = str(ROOT / "rules" / "shanxi-commerce-2021.yaml")
    xlsx = args.data / "documents.xlsx"
    with tempfile.TemporaryDirectory() as folder:
        old = old_tree(args.old, Path(folder))
        if not args.no_xlsx:
            if not xlsx.exists():
                started = time.perf_counter()
                make_xlsx(args.data / "documents.csv", xlsx)
                print(f"wrote {xlsx} ({xlsx.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - started:.1f} s",
                      flush=True)
            measure("XLSX new: read_table (calamine)", READ, [rulebook, "documents", str(xlsx)])
            measure(f"XLSX old: read_table ({args.old}, openpyxl)", READ, [rulebook, "documents", str(xlsx)], old)
            if not args.no_floors:
                measure("XLSX floor: calamine to_python", CALAMINE, [str(xlsx)])
                measure("XLSX floor: openpyxl read_only iter_rows", OPENPYXL, [str(xlsx)])
        for dataset in ("documents", "requests") if args.csv else ():
            path = str(args.data / f"{dataset}.csv")
            runs = {"new": [], "old": []}
            for _ in range(args.csv):
                runs["new"].append(measure(f"CSV new: read_table {dataset}", READ, [rulebook, dataset, path]))
                runs["old"].append(measure(f"CSV old: read_table {dataset} ({args.old})", READ,
                                           [rulebook, dataset, path], old))
            best = {k: min(r["read_s"] for r in v) for k, v in runs.items()}
            print(f"CSV {dataset}: best new {best['new']:.2f} s, best old {best['old']:.2f} s, "
                  f"new/old {best['new'] / best['old']:.2f}x", flush=True)


if __name__ == "__main__":
    main()
