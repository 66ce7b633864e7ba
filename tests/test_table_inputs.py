"""Parquet files and engines' tables (pyarrow, DuckDB, Spark) are ledgers beside CSV and Excel.

A ledger given as Parquet, as a pyarrow Table or as a DuckDB relation is read by its column
names (the header) and its rows (records numbered 2.., as for a DataFrame); typed columns
(dates, timestamps, integers, booleans, dictionary-encoded text) read as the text a person
would see in them. So the audit of the same records is the same whatever the container.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from disclosure_rules import audit, load_rulebook
from disclosure_rules.errors import DatasetError
from disclosure_rules.resources import DEFAULT_RULEBOOK

from ledgers import AS_OF, documents, requests

BOOK = load_rulebook(DEFAULT_RULEBOOK)
CLI = str(Path(sys.executable).parent / "disclosure-rules")


def _core(result) -> dict:
    """The result without what says where the ledgers came from."""
    out = result.to_dict(json_findings=None)
    for entry in out.get("datasets", {}).values():
        entry.pop("source", None)
        entry.pop("sha256", None)
    for entry in out.get("reading", {}).values():
        entry.pop("source", None)
        entry.pop("format", None)
    return out


def _frames() -> dict[str, pd.DataFrame]:
    return {"documents": documents(), "requests": requests()}


def _text_table(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame.astype(object).where(frame.notna(), None).astype("string"),
                                preserve_index=False)


def test_parquet_file_audits_as_the_dataframe(tmp_path):
    """The same records as Parquet files give the DataFrames' whole result, and the reading
    report says Parquet."""
    frames = _frames()
    paths = {}
    for name, frame in frames.items():
        paths[name] = tmp_path / f"{name}.parquet"
        pq.write_table(_text_table(frame), paths[name])
    expected = audit(BOOK, frames, as_of=AS_OF)
    got = audit(BOOK, paths, as_of=AS_OF)
    assert _core(got) == _core(expected)
    assert got.to_dict()["reading"]["documents"]["format"] == "parquet"
    findings = got.findings
    assert len(findings) == len(expected.findings) > 0
    assert findings["row"].tolist() == expected.findings["row"].tolist()


@pytest.mark.parametrize("container", ["arrow", "reader", "duckdb"])
def test_engine_tables_audit_as_the_dataframe(container):
    """A pyarrow Table, a record-batch reader or a DuckDB relation of the records gives the
    DataFrames' whole result."""
    frames = _frames()
    tables = {name: _text_table(frame) for name, frame in frames.items()}
    if container == "reader":
        data = {name: pa.RecordBatchReader.from_batches(t.schema, t.to_batches(max_chunksize=37))
                for name, t in tables.items()}
    elif container == "duckdb":
        import duckdb

        con = duckdb.connect()
        data = {}
        for name, table in tables.items():
            con.register(f"raw_{name}", table)
            data[name] = con.sql(f"SELECT * FROM raw_{name}")
    else:
        data = tables
    assert _core(audit(BOOK, data, as_of=AS_OF)) == _core(audit(BOOK, frames, as_of=AS_OF))


def test_typed_columns_read_as_their_text(tmp_path):
    """Typed Parquet columns (date32, timestamps with and without a zone, int64 with nulls,
    booleans, dictionary-encoded labels) are read as the text they show, so they audit as
    the same ledger written as text."""
    frame = requests()
    date_headers = [h for h in frame.columns if "日期" in h or "时间" in h]
    assert date_headers, "the request ledger has date columns"
    parsed = {h: pd.to_datetime(frame[h], errors="coerce", format="mixed") for h in date_headers}
    text = frame.copy()
    for h, days in parsed.items():
        text[h] = days.dt.strftime("%Y-%m-%d").where(days.notna(), None)  # readable dates as ISO text
    typed = {}
    for i, (h, days) in enumerate(parsed.items()):
        if i % 3 == 0:
            typed[h] = pa.array([d.date() if pd.notna(d) else None for d in days], type=pa.date32())
        elif i % 3 == 1:
            typed[h] = pa.array(days.to_numpy(dtype="datetime64[ms]"), mask=days.isna().to_numpy(),
                                type=pa.timestamp("ms"))
        else:
            zoned = days.dt.tz_localize("Asia/Shanghai")
            typed[h] = pa.array(zoned, type=pa.timestamp("us", tz="Asia/Shanghai"))
    columns = {}
    for h in text.columns:
        if h in typed:
            columns[h] = typed[h]
        else:
            values = text[h].astype(object).where(text[h].notna(), None)
            columns[h] = pa.array(values.tolist(), type=pa.string()).dictionary_encode()
    path = tmp_path / "requests.parquet"
    pq.write_table(pa.table(columns), path)
    assert _core(audit(BOOK, {"requests": path}, as_of=AS_OF)) == \
        _core(audit(BOOK, {"requests": text}, as_of=AS_OF))


def test_numbers_and_booleans_read_as_shown():
    """Integers (with nulls) read without '.0', floats as a person writes them, booleans as
    TRUE/FALSE: the cells a ledger's 序号 or 是否 columns hold."""
    from disclosure_rules.reading import _arrow_texts

    ints = pa.chunked_array([pa.array([1, None, 30], type=pa.int64())])
    floats = pa.chunked_array([pa.array([3.0, 2.5, None])])
    bools = pa.chunked_array([pa.array([True, None, False])])
    assert _arrow_texts(ints).to_pylist() == ["1", None, "30"]
    assert _arrow_texts(floats).to_pylist() == ["3", "2.5", None]
    assert _arrow_texts(bools).to_pylist() == ["TRUE", None, "FALSE"]
    assert _arrow_texts(pa.chunked_array([pa.array(["a", "", None])])).to_pylist() == ["a", None, None]


def test_damaged_parquet_is_refused_by_name(tmp_path):
    """A truncated Parquet file is refused with one paragraph naming it, no traceback."""
    good = tmp_path / "good.parquet"
    pq.write_table(_text_table(documents()), good)
    bad = tmp_path / "公文台账.parquet"
    data = good.read_bytes()
    bad.write_bytes(data[:len(data) // 2] + data[-8:])  # the magic at both ends, a broken body
    with pytest.raises(DatasetError) as error:
        audit(BOOK, {"documents": bad}, as_of=AS_OF)
    assert "公文台账.parquet" in str(error.value)
    run = subprocess.run([CLI, "audit", "--data", f"documents={bad}",
                          "--as-of", AS_OF, "--lang", "en"], capture_output=True, text=True)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr and "公文台账.parquet" in run.stderr and "damaged" in run.stderr
    run = subprocess.run([CLI, "audit", "--data", f"documents={bad}", "--as-of", AS_OF, "--lang", "zh"],
                         capture_output=True, text=True)
    assert run.returncode != 0 and "Traceback" not in run.stderr and "损坏" in run.stderr


def test_parquet_on_the_command_line(tmp_path):
    """`audit --data documents=x.parquet` reads it and says Parquet in the JSON."""
    path = tmp_path / "docs.parquet"
    pq.write_table(_text_table(documents()), path)
    out = tmp_path / "result.json"
    run = subprocess.run([CLI, "audit", "--data", f"documents={path}",
                          "--as-of", AS_OF, "--json", str(out)], capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["reading"]["documents"]["format"] == "parquet"
    assert result["datasets"]["documents"]["rows"] == len(documents())
