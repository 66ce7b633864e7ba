"""A large text file is read piece by piece (each piece parsed, its candidates for totals and
footers taken aside and its fields' cells coded, before the next is parsed). Read so, a file
gives the same cells, rows, skipped rows, report, typed values and data issues as read whole.

Every test of ``tests/test_reading.py`` and ``tests/test_datasets.py`` runs again here with
every text file streamed, in pieces of a few hundred bytes, so that their assertions hold for
the streamed path too; the tests below compare the two ways directly on generated ledgers.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from disclosure_rules import reading

_modules = {}
for _name in ("test_reading.py", "test_datasets.py"):
    _spec = importlib.util.spec_from_file_location(f"{_name[:-3]}_streamed", Path(__file__).with_name(_name))
    _module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
    _modules[_name] = _module
    globals().update({name: value for name, value in vars(_module).items()
                      if name.startswith("test_") and callable(value)})

_module_reading = _modules["test_reading.py"]

#: pieces this small cut most records of the tests' files apart from their neighbours, and a
#: few are too large for a piece (the streaming parser gives up and the body is read whole)
SMALL_BLOCK = 512


class Calls:
    """How often a body was streamed and how often it was read whole (parsed in one go)."""

    def __init__(self):
        self.streams = 0
        self.whole = 0

    def __bool__(self) -> bool:
        return bool(self.streams)


@pytest.fixture(autouse=True)
def streamed(monkeypatch):
    calls = Calls()
    stream, parse = reading._stream_body, reading._parse_body

    def counted_stream(*args):
        calls.streams += 1
        return stream(*args)

    def counted_parse(*args):
        calls.whole += 1
        return parse(*args)

    monkeypatch.setattr(reading, "STREAM_BYTES", -1)
    monkeypatch.setattr(reading, "STREAM_BLOCK", SMALL_BLOCK)
    monkeypatch.setattr(reading, "_stream_body", counted_stream)
    monkeypatch.setattr(reading, "_parse_body", counted_parse)
    yield calls


# ------------------------------------------------------------------ streamed against whole

import functools  # noqa: E402

import pandas as pd  # noqa: E402

import disclosure_rules as dr  # noqa: E402
from disclosure_rules.datasets import load_dataset  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BOOK = dr.load_rulebook("builtin:shanxi-commerce-2021")


@functools.lru_cache(maxsize=None)
def _generate():
    spec = importlib.util.spec_from_file_location("bench_generate_streamed", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ledgers(folder: Path, rows: int, seed: int) -> dict[str, Path]:
    paths = _generate().generate(rows, folder, seed=seed)
    return {"documents": paths["documents"], "requests": paths["requests"]}


def _both(name: str, path: Path, monkeypatch, block: int = SMALL_BLOCK):
    """(read whole, read streamed) of one ledger."""
    monkeypatch.setattr(reading, "STREAM_BYTES", 1 << 62)
    whole = load_dataset(name, BOOK.datasets[name], path)  # parsed in one go (one whole parse)
    monkeypatch.setattr(reading, "STREAM_BYTES", -1)
    monkeypatch.setattr(reading, "STREAM_BLOCK", block)
    return whole, load_dataset(name, BOOK.datasets[name], path)


def _assert_same(whole, streamed):
    pd.testing.assert_frame_equal(whole.frame, streamed.frame)
    assert whole.rows.tolist() == streamed.rows.tolist()
    assert whole.issues == streamed.issues
    assert whole.reading == streamed.reading
    assert whole.missing == streamed.missing and whole.headers == streamed.headers
    assert whole.sha256 == streamed.sha256


def _append(path: Path, lines: list[str], encoding: str) -> None:
    with open(path, "ab") as handle:
        handle.write("".join(line + "\n" for line in lines).encode(encoding))


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_ledgers_read_alike_streamed_and_whole(tmp_path, monkeypatch, streamed, seed):
    """GB18030 documents and UTF-8-with-BOM requests, with their planted bad dates and labels,
    then a total, a footer and a key-less row below it with a label no field knows (skipped
    with the footer, so never reported): the typed frame, every data issue with its row, the rows and
    the reading report are the same streamed (in pieces of many sizes) as read whole."""
    paths = _ledgers(tmp_path, 3000, seed)
    _append(paths["documents"], ["合计,共3000件,,,,,,,,,,,,,,,,,,", "", "注：本表由办公室汇总,,,,,,,,,,,,,,,,,,,",
                                 ",,,不知道的类型,,,,,,,,,,,,,,,,"], "gb18030")
    # the rows without their trailing empty cells, as Excel often writes them (padded, and still streamed)
    _append(paths["requests"], ["合计：3000件", "填表人：张三,,,,,怪渠道"], "utf-8")
    for block in (SMALL_BLOCK, 4096, 1 << 16):
        for name, path in paths.items():
            whole, streamed_read = _both(name, path, monkeypatch, block)
            _assert_same(whole, streamed_read)
            assert streamed_read.reading["skipped_total"] >= 2
            assert not any("不知道的类型" in str(i["value"]) or "怪渠道" in str(i["value"])
                           for i in streamed_read.issues)
    # every streamed read above streamed to its end: the only whole parses are the whole reads
    assert streamed.streams == 6 and streamed.whole == 6


def test_a_utf8_file_with_gbk_far_down_turns_to_gb18030_when_streamed(tmp_path, monkeypatch, streamed):
    """A file whose head is plain ASCII (valid UTF-8) but whose later rows are GBK is read as
    GB18030, as the whole read does, though the piece that is not UTF-8 comes long after the
    first: the typed dates of the GBK rows and the row numbers are the same."""
    spec = BOOK.datasets["requests"]
    names = [spec.key] + [f for f, s in spec.fields.items() if s.required and f != spec.key] + ["received_on"]
    names = list(dict.fromkeys(names))
    ascii_rows = reading.HEAD_BYTES // 20 + 2000  # well past the head the encoding is judged by

    def record(i: int, gbk: bool) -> str:
        day = f"2021年3月{1 + i % 28}日" if gbk else f"2021-03-{1 + i % 28:02d}"
        return ",".join([f"YS-{i:06d}"] + ["x"] * (len(names) - 2) + [day]) + "\n"

    path = tmp_path / "mixed.csv"
    path.write_bytes((",".join(names) + "\n" + "".join(record(i, False) for i in range(ascii_rows))).encode("ascii")
                     + "".join(record(i, True) for i in range(ascii_rows, ascii_rows + 3000)).encode("gb18030"))
    whole, streamed_read = _both("requests", path, monkeypatch, 1 << 16)
    _assert_same(whole, streamed_read)
    assert streamed_read.reading["encoding"] == "gb18030"
    assert streamed_read.frame["received_on"].notna().all()
    # the whole read parses twice (as UTF-8 up to the GBK part, then as GB18030); the streamed
    # one streams as UTF-8 up to the GBK piece, then again as GB18030 to the end, never whole
    assert streamed.streams == 2 and streamed.whole == 2


def test_a_ragged_row_far_down_is_read_whole(tmp_path, monkeypatch, streamed):
    """A row with more cells than the header, far down: the streaming parser gives up there,
    and the body is read whole by the parsers that take such rows, to the same result."""
    paths = _ledgers(tmp_path, 2000, 4)
    _append(paths["documents"], ["A-1,标题,办公室,其他文件,2021-03-01,主动公开" + ",x" * 30], "gb18030")
    whole, streamed_read = _both("documents", paths["documents"], monkeypatch)
    _assert_same(whole, streamed_read)
    assert streamed_read.reading["records"] == whole.reading["records"] > 2000
    assert streamed.streams == 1 and streamed.whole == 2  # the streamed read gave up and read whole


def test_small_files_are_read_whole(tmp_path, monkeypatch):
    """Below STREAM_BYTES of body a text file is parsed in one go (multithreaded), not streamed."""
    paths = _ledgers(tmp_path, 200, 5)
    calls = []
    monkeypatch.setattr(reading, "STREAM_BYTES", 32 * 1024 * 1024)
    monkeypatch.setattr(reading, "_stream_body", lambda *args: calls.append(1) or iter(()))
    load_dataset("documents", BOOK.datasets["documents"], paths["documents"])
    assert calls == []


CELLS = ["", " ", "合计", "共3件", "注：本表按日期排列", "文号", "公开属性", "A-1", "A-2", "外贸处", "主动公开",
         "不予公开", "2021-03-01", "2021年3月5日", "44405", 'say "hi"', "a,b", "line\nbreak", "—", "1"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(CELLS), min_size=6, max_size=6), min_size=0, max_size=60),
       st.sampled_from([64, 128, 512, 4096]), st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_random_csv_reads_alike_streamed_and_whole(tmp_path_factory, monkeypatch, streamed, body, block, encoding):
    """Random bodies of quoted cells, cells with line breaks and commas, blank records, totals,
    footers and repeated headers, in pieces of any size: the raw cells, rows and reading report
    are the same streamed as read whole (or the same error)."""
    import csv
    import io

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["公文台账"])
    writer.writerow(_module_reading.HEADER)
    writer.writerows(body)
    path = tmp_path_factory.mktemp("random") / "ledger.csv"
    path.write_bytes(text.getvalue().encode(encoding))
    outcome = {}
    for mode, limit in (("whole", 1 << 62), ("streamed", -1)):
        monkeypatch.setattr(reading, "STREAM_BYTES", limit)
        monkeypatch.setattr(reading, "STREAM_BLOCK", block)
        try:
            raw = reading.read_table("documents", _module_reading.DOCS, path)
            outcome[mode] = ({f: _module_reading.cells(raw, f) for f in raw.columns}, raw.rows.tolist(), raw.report)
        except Exception as exc:  # the same error either way
            outcome[mode] = (type(exc).__name__, str(exc))
    assert outcome["streamed"] == outcome["whole"]


# ------------------------------------------------------------------ rows short of trailing cells

def _trim(path: Path, encoding: str, seed: int) -> Path:
    """The same ledger as Excel may save it: in some runs of 16 rows every row's trailing empty
    cells are left off (Excel decides by chunk), the other rows padded with commas."""
    import csv
    import io
    import random

    rng = random.Random(seed)
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline="")))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for start in range(0, len(rows), 16):
        trim = rng.random() < 0.6
        for row in rows[start:start + 16]:
            while trim and row and row[-1] == "":
                row = row[:-1]
            writer.writerow(row)
    trimmed = path.parent / "trimmed" / path.name  # the same name: the reports name the file alike
    trimmed.parent.mkdir(exist_ok=True)
    trimmed.write_bytes(text.getvalue().encode(encoding))
    return trimmed


def _without_source(ds):
    return {k: v for k, v in ds.reading.items() if k != "source"}


@pytest.mark.parametrize("seed", [6, 7])
def test_rows_saved_without_their_trailing_empty_cells_read_as_padded(tmp_path, monkeypatch, streamed, seed):
    """Excel leaves off the trailing empty cells of many rows of a CSV it saves. Such a ledger
    reads exactly as the same ledger padded with commas, read whole or streamed, and neither
    way falls back to a slower parser: the short rows are padded and parsed by pyarrow."""
    paths = _ledgers(tmp_path, 3000, seed)
    trimmed = {"documents": _trim(paths["documents"], "gb18030", seed),
               "requests": _trim(paths["requests"], "utf-8-sig", seed)}
    assert trimmed["documents"].stat().st_size < paths["documents"].stat().st_size

    def refuse(*args, **kwargs):
        raise AssertionError("a short row was left to pandas' C parser")

    monkeypatch.setattr(reading.pd, "read_csv", refuse)
    for name in paths:
        monkeypatch.setattr(reading, "STREAM_BYTES", 1 << 62)
        padded = load_dataset(name, BOOK.datasets[name], paths[name])
        for block in (None, SMALL_BLOCK, 1 << 16):
            if block is not None:
                monkeypatch.setattr(reading, "STREAM_BYTES", -1)
                monkeypatch.setattr(reading, "STREAM_BLOCK", block)
                monkeypatch.setattr(reading, "_PAD_BLOCK", block // 2 + 1)  # records cut between pieces
            short = load_dataset(name, BOOK.datasets[name], trimmed[name])
            pd.testing.assert_frame_equal(padded.frame, short.frame)
            assert padded.rows.tolist() == short.rows.tolist()
            assert padded.issues == short.issues
            assert _without_source(padded) == _without_source(short)
    # each streamed read streamed to its end (the whole parses: one padded and one short per
    # ledger, read whole)
    assert streamed.streams == 4 and streamed.whole == 4


RAW = ['关于"十四五"规划', 'a"b']  # a quote inside a cell not quoted, as some tools write it


def _csv_line(row: list[str], trim: bool, delimiter: str = ",") -> str:
    cells = [c if c in RAW or not any(ch in c for ch in delimiter + '"\n\r') else '"' + c.replace('"', '""') + '"'
             for c in row]
    while trim and cells and cells[-1] == "":
        cells.pop()
    return delimiter.join(cells)


MISLED = [(["a\"b"] + ["x"] * 5, False), (["2", "A-2", "line\nbreak", "x", "x", "x"], False),
          (["a\"b"] + ["x"] * 5, False), (["4", "A-4", "", "", "", ""], True)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.lists(st.sampled_from(CELLS + RAW + [""] * 6), min_size=6, max_size=6), st.booleans()),
                min_size=0, max_size=60),
       st.sampled_from([64, 512, 4096]), st.sampled_from([1, 7, 64, 1 << 22]),
       st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]), st.sampled_from(["\n", "\r\n"]),
       st.sampled_from([",", "\t", ";"]))
# a quote inside a cell not quoted, then a quoted line break: counting quotes takes that line
# break for a line end (and pads inside the cell) and the real line end for quoted, until the
# next quote inside a cell not quoted; then a short row, which only a padded body parses
@example(MISLED, 64, 1 << 22, "utf-8", "\n", ",")
@example(MISLED, 64, 1, "utf-8", "\r\n", ",")  # every byte a piece: the quote's own piece starts with it
def test_random_rows_short_of_trailing_cells_read_as_blank_cells(tmp_path_factory, monkeypatch, streamed, body,
                                                                 block, pad_block, encoding, newline, delimiter):
    """Random bodies (comma-, tab- or semicolon-separated) whose rows (some) lack their
    trailing empty cells, with quoted cells, line breaks and delimiters in cells and quotes
    inside cells not quoted, padded in pieces of any size (a CRLF or a record cut between
    two): the cells, rows and report are those of the same body with every row padded, read
    whole and streamed."""
    monkeypatch.setattr(reading, "_PAD_BLOCK", pad_block)
    folder = tmp_path_factory.mktemp("short")
    outcome = {}
    for trimmed in (False, True):
        lines = ["公文台账", delimiter.join(_module_reading.HEADER)] + [_csv_line(row, trimmed and trim, delimiter)
                                                                      for row, trim in body]
        path = folder / str(trimmed) / "ledger.csv"
        path.parent.mkdir()
        path.write_bytes("".join(line + newline for line in lines).encode(encoding))
        for mode, limit in (("whole", 1 << 62), ("streamed", -1)):
            monkeypatch.setattr(reading, "STREAM_BYTES", limit)
            monkeypatch.setattr(reading, "STREAM_BLOCK", block)
            try:
                raw = reading.read_table("documents", _module_reading.DOCS, path)
                report = {k: v for k, v in raw.report.items() if k != "source"}
                outcome[trimmed, mode] = ({f: _module_reading.cells(raw, f) for f in raw.columns}, raw.rows.tolist(),
                                          report)
            except Exception as exc:  # the same error every way
                outcome[trimmed, mode] = (type(exc).__name__, str(exc).replace(str(path.parent), ""))
    assert outcome[True, "whole"] == outcome[False, "whole"]
    assert outcome[True, "streamed"] == outcome[False, "whole"]
    assert outcome[False, "streamed"] == outcome[False, "whole"]


# ------------------------------------------------------------------ line breaks in cells

@pytest.mark.parametrize("trusted", [True, False])
@pytest.mark.parametrize("short_first", [False, True])
def test_a_crlf_in_a_cell_split_by_the_streamed_pieces_is_kept(tmp_path, monkeypatch, streamed, short_first, trusted):
    """A large file streamed in pieces of about 4 MB, a cell's CR where the first two pieces of
    exactly 4 MB would end (its LF beginning the next), the body streamed as it is or (its
    first row short of its last cell) padded while streamed: every cell keeps its CRLF, on its
    own row. The pieces are sized so that none ends in a CR, and the body streams to its end;
    where this pyarrow was seen damaging cells elsewhere, it is read whole instead."""
    monkeypatch.setattr(reading, "STREAM_BLOCK", 4 * 1024 * 1024)
    monkeypatch.setattr(reading, "_PAD_BLOCK", 4 * 1024 * 1024)
    if not trusted:
        monkeypatch.setattr(reading, "_damage_only_at_block_ends", lambda *delimiter: False)
    padded = []
    pad = reading._padded
    monkeypatch.setattr(reading, "_padded", lambda *args: padded.append(1) or pad(*args))
    data, titles = _module_reading.crlf_at_block_ends(reading.STREAM_BLOCK, 2, short_first=short_first)
    path = tmp_path / "split.csv"
    path.write_bytes(data)
    raw = reading.read_table("documents", _module_reading.DOCS, path)
    assert _module_reading.cells(raw, "title") == titles
    assert raw.rows.tolist() == list(range(2, 2 + len(titles)))
    assert bool(padded) == short_first
    assert streamed.streams == 1 and streamed.whole == (0 if trusted else 1)


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_this_pyarrow_damages_a_cell_only_where_a_block_ends_at_its_cr(delimiter):
    """The trial the reader's block sizes rely on finds this pyarrow damaging a cell only
    where one of its blocks ends at the CR of the cell's CRLF (or nowhere), whatever the
    delimiter."""
    reading._damage_only_at_block_ends.cache_clear()
    assert reading._damage_only_at_block_ends(delimiter)


def _lose_lfs(data: bytes, block: int, where) -> bytes:
    """``data`` less the LF of each CRLF whose CR is at an offset ``where(offset, block)`` holds for."""
    kept = bytearray()
    for at, byte in enumerate(data):
        if not (byte == 10 and at and data[at - 1] == 13 and where(at - 1, block)):
            kept.append(byte)
    return bytes(kept)


_AT_A_BLOCK_END = lambda cr, block: cr % block == block - 1  # noqa: E731


@pytest.fixture
def faked_pyarrow(monkeypatch):
    """Install a pyarrow CSV reader that reads each body in one block after ``damage`` (the
    body's bytes and the block size asked for, to the bytes read), whole or streamed."""
    from pyarrow import csv as pa_csv

    real_read, real_open = pa_csv.read_csv, pa_csv.open_csv

    def install(damage, damaged="both"):
        def redo(source, read_options, keep):
            data = source.read()
            data = data if keep else damage(data, read_options.block_size)
            options = pa_csv.ReadOptions(column_names=read_options.column_names, block_size=len(data) + 1,
                                         use_threads=False)
            return pa.BufferReader(pa.py_buffer(data)), options

        def read_csv(source, read_options, parse_options, convert_options):
            source, options = redo(source, read_options, damaged == "streamed")
            return real_read(source, read_options=options, parse_options=parse_options,
                             convert_options=convert_options)

        def open_csv(source, read_options, parse_options, convert_options):
            source, options = redo(source, read_options, damaged == "whole")
            return real_open(source, read_options=options, parse_options=parse_options,
                             convert_options=convert_options)

        monkeypatch.setattr(pa_csv, "read_csv", read_csv)
        monkeypatch.setattr(pa_csv, "open_csv", open_csv)
        reading._damage_only_at_block_ends.cache_clear()

    yield install
    reading._damage_only_at_block_ends.cache_clear()  # (what the fake made it find is not kept)


def _raise(data, block):
    raise pa.ArrowInvalid("CSV parse error")


def _blank_line_after_a_split_line_end(data: bytes, block: int) -> bytes:
    """``data`` with a blank record after each record whose line end's CR ends a block."""
    out, start = [], 0
    for cr in range(block - 1, len(data) - 1, block):
        if data[cr] == 13 and data[cr + 1] == 10 and data[cr - 1:cr] == b"z":
            out += [data[start:cr + 2], b"\r\n"]
            start = cr + 2
    assert out, "the trial's body has a record whose line end's CR ends a block"
    return b"".join(out) + data[start:]


@pytest.mark.parametrize("damage, trusted", [
    (lambda data, block: data, True),                                              # none
    (lambda data, block: _lose_lfs(data, block, _AT_A_BLOCK_END), True),           # as apache/arrow#51368
    (lambda data, block: _lose_lfs(data, block, lambda cr, b: True), False),       # every CRLF
    (lambda data, block: _lose_lfs(data, block, lambda cr, b: cr % b == b - 2), False),  # a byte early
    (lambda data, block: _lose_lfs(data, block, lambda cr, b: cr % b == 0), False),  # where a block starts
    (lambda data, block: data[:data.rindex(b"\r\n", 0, -2) + 2], False),         # a record dropped
    (_blank_line_after_a_split_line_end, False),                                    # a line end split
    (lambda data, block: b"9" + data[1:], False),                                   # a record renumbered
    (lambda data, block: data.replace(b",z", b",Z", 1).replace(b"\tz", b"\tZ", 1).replace(b";z", b";Z", 1),
     False),                                                                        # a cell not quoted changed
    (_raise, False),
], ids=["none", "at-block-ends", "every-crlf", "a-byte-early", "block-starts", "record-dropped",
        "line-end-split", "renumbered", "plain-cell", "raises"])
@pytest.mark.parametrize("damaged", ["both", "whole", "streamed"])
@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_the_trial_trusts_a_pyarrow_only_if_it_damages_cells_only_where_a_block_ends_at_a_cr(
        faked_pyarrow, damage, trusted, damaged, delimiter):
    """The trial, on a pyarrow made to damage the bodies it reads in a given way (both ways
    of reading, or only read whole, or only streamed): it trusts the block sizes (no block ending in a CR) only
    where cells are damaged only where a block ends at a CR of theirs, as apache/arrow#51368
    found, or nowhere; and not where another cell or record is damaged, nor where reading
    fails."""
    faked_pyarrow(damage, damaged)
    assert reading._damage_only_at_block_ends(delimiter) is trusted


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=0, max_size=400).map(lambda b: bytes(13 if x % 3 == 0 else x for x in b)),
       st.integers(1, 40))
def test_the_block_size_chosen_is_the_least_that_ends_no_block_in_a_cr(data, block):
    """Bodies dense with CRs: the block size chosen is the least at or above the one asked
    for at which no block but the last ends in a CR (one is found: a block the body's size
    ends none)."""
    size = reading._block_size(pa.py_buffer(data), block)
    least = next(s for s in range(block, block + reading._BLOCK_TRIES)
                 if all(data[end - 1] != 13 for end in range(s, len(data), s)))
    assert size == least


def test_the_block_size_is_the_one_asked_for_where_no_cr_is_in_the_way():
    """A large body without a CR (a CSV with LF line ends and no CR in a cell) keeps the block
    size asked for; one whose every byte is a CR has no size tried at which no block ends in
    a CR, unless it fits in one block."""
    body = (b"1,\"a\nb\",c\n" * 100_000)
    assert reading._block_size(pa.py_buffer(body), 1 << 16) == 1 << 16
    crs = b"\r" * (2 * reading._BLOCK_TRIES + 10)
    assert reading._block_size(pa.py_buffer(crs), 1) is None
    assert reading._block_size(pa.py_buffer(crs), len(crs)) == len(crs)  # one block


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_the_trials_body_splits_crlfs_at_every_offset_and_no_record_is_longer_than_a_block(delimiter):
    """The trial's body: a block ends at a cell's CR in a third of the records with a CRLF in
    a cell (and those are the cells flagged), at a record's own line end in another third,
    and the cells' CRs fall at every offset in a block; every record fits in a block (pyarrow
    refuses one spanning three)."""
    block = reading._TRIAL_BLOCK
    body, texts = reading._probe_body(delimiter, block)
    data = body.to_pybytes()
    records = data.split(b"z\r\n")[:-1]
    assert len(records) == len(texts)
    assert max(len(record) + 3 for record in records) <= block
    line_ends = [at for at in range(len(data)) if data[at:at + 2] == b"\r\n" and data[at - 1:at] == b"z"]
    in_cells = sorted({at for at in range(len(data)) if data[at] == 13} - set(line_ends))
    with_crlf = sum("\r\n" in text for text, _ in texts)
    assert sum(at % block == block - 1 for at in line_ends) >= with_crlf // 3
    split = [at for at in in_cells if at % block == block - 1]
    assert len(split) >= with_crlf // 3 and sum(flag for _, flag in texts) == len(split)
    assert {at % block for at in in_cells} == set(range(block))


@pytest.mark.parametrize("streamed_read", [False, True])
@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_the_trial_is_of_the_files_delimiter(tmp_path, monkeypatch, delimiter, streamed_read):
    """A body of several blocks, read whole or streamed, has its block size chosen after the
    trial of its own delimiter."""
    tried = []
    monkeypatch.setattr(reading, "_damage_only_at_block_ends", lambda *args: tried.append(args) or True)
    monkeypatch.setattr(reading, "PARSE_BLOCK", 256)
    monkeypatch.setattr(reading, "STREAM_BLOCK", 256)
    monkeypatch.setattr(reading, "STREAM_BYTES", -1 if streamed_read else 1 << 62)
    rows = [[str(i), f"晋商发〔2021〕{i}号", f"关于第{i}项工作的通知", "外贸处", "2021-03-01", "主动公开"]
            for i in range(1, 61)]
    lines = ["公文台账", delimiter.join(_module_reading.HEADER)] + [delimiter.join(row) for row in rows]
    path = tmp_path / "ledger.csv"
    path.write_bytes("".join(line + "\r\n" for line in lines).encode("utf-8"))
    raw = reading.read_table("documents", _module_reading.DOCS, path)
    assert _module_reading.cells(raw, "title") == [row[2] for row in rows]
    assert tried and set(tried) == {(delimiter,)}


def test_no_block_size_is_chosen_where_the_trial_does_not_trust_this_pyarrow(monkeypatch):
    """Where the trial found this pyarrow damaging cells elsewhere, no block size is chosen
    for a body of more than one block (every cell with a CR is then taken for damaged)."""
    monkeypatch.setattr(reading, "_damage_only_at_block_ends", lambda *delimiter: False)
    body = pa.py_buffer(b"1,2\n" * 1000)
    assert reading._block_size(body, 100) is None
    assert reading._block_size(body, body.size) == body.size  # one block needs no trial
