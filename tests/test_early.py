"""The command line reads its ledger files, and starts re-encoding a large GB18030 one in a
child process, before it imports pandas and loads the rulebook (``disclosure_rules.early``).

What reading makes of a file must not depend on that: the bytes read early are used only when
the file is still the same one, the child's UTF-8 only where reading itself judges the bytes
GB18030, and a child that is not wanted is stopped. Every test here compares with the same
work done with nothing read early.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import json
import os
import time
from pathlib import Path

import pytest

from disclosure_rules import decoding, early, reading
from disclosure_rules.cli import main
from disclosure_rules.errors import DatasetError
from disclosure_rules.reading import read_table
from ledgers import gb18030_examples



@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    yield
    early.clear()  # what a test started with early.start itself


class Counted:
    """Calls of a decoding function, and the children it started (each must be gone after)."""

    def __init__(self, function):
        self.function, self.calls, self.children = function, 0, []

    def __call__(self, data, *args, started=None, **kwargs):
        self.calls += 1

        def seen(child):
            self.children.append(child)
            if started is not None:
                started(child)
        return self.function(data, *args, started=seen, **kwargs)


@pytest.fixture
def children(monkeypatch):
    """Every body is large enough for an early child; the children early and reading start, counted."""
    at_start = Counted(decoding.decode_in_child)
    in_reading = Counted(decoding.decode_in_child)
    monkeypatch.setattr(early, "CHILD_DECODE_BYTES", 0)
    monkeypatch.setattr(reading, "CHILD_DECODE_BYTES", 0)
    monkeypatch.setattr(early, "decode_in_child", at_start)
    monkeypatch.setattr(reading, "decode_in_child", in_reading)
    return at_start, in_reading


def invoke(args) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, err.getvalue()


def audited(paths: dict[str, Path], out: Path) -> dict:
    args = ["audit", "--as-of", "2021-12-31", "--json", out / "result.json", "--html", out / "report.html"]
    for name, path in paths.items():
        args += ["--data", f"{name}={path}"]
    code, err = invoke(args)
    assert code in (0, 1), err
    return json.loads((out / "result.json").read_text(encoding="utf-8"))


def test_ledgers_decoded_by_children_started_before_the_imports_give_the_same_result(tmp_path, monkeypatch,
                                                                                        children):
    """Both example ledgers in GB18030: each is decoded by the child started at the command's
    start (reading starts none of its own), and the result JSON is the one of an audit that
    read nothing early. No child is left running, and nothing read early is kept."""
    at_start, in_reading = children
    paths = gb18030_examples(tmp_path)
    (tmp_path / "early").mkdir()
    (tmp_path / "late").mkdir()
    result = audited(paths, tmp_path / "early")
    assert (at_start.calls, in_reading.calls) == (2, 0)
    assert all(child.returncode == 0 for child in at_start.children)
    assert early._READS == {}
    assert {d["encoding"] for d in result["reading"].values()} == {"gb18030"}

    monkeypatch.setattr(early, "start", lambda paths: None)
    assert audited(paths, tmp_path / "late") == result
    assert (at_start.calls, in_reading.calls) == (2, 2)  # reading decoded them in children of its own


def test_bytes_the_codec_refuses_are_refused_naming_the_file_as_without_reading_early(tmp_path, monkeypatch,
                                                                                        children):
    at_start, _ = children
    paths = gb18030_examples(tmp_path)
    data = paths["documents"].read_bytes()
    paths["documents"].write_bytes(data[: len(data) // 2] + b"\xff" + data[len(data) // 2:])
    args = ["audit", "--html", tmp_path / "r.html"] + [a for n, p in paths.items() for a in ("--data", f"{n}={p}")]
    code, err = invoke(args)
    assert code == 2 and str(paths["documents"]) in err and "Traceback" not in err
    assert at_start.calls >= 1 and all(child.returncode is not None for child in at_start.children)
    monkeypatch.setattr(early, "start", lambda paths: None)
    assert invoke(args) == (code, err)


def _wait_read(path: Path) -> "early._Read":
    entry = early._READS[early._key(path)]
    assert entry.read.wait(10)
    return entry


@pytest.mark.parametrize("how", ["rewritten-same-size", "replaced", "grown", "removed"])
def test_a_file_changed_after_it_was_read_early_is_read_as_it_is_now(tmp_path, how, children):
    """Bytes read early are not used for a file written to, replaced or removed since: the cells
    are those of the file as it is when reading reads it (or the error of a missing file)."""
    path = tmp_path / "documents.csv"
    before = "文号,起草处室,公开属性\n晋商发〔2021〕1号,外贸处,主动公开\n"
    after = "文号,起草处室,公开属性\n晋商发〔2021〕9号,外资处,不予公开\n"
    assert len(before.encode("gb18030")) == len(after.encode("gb18030"))
    path.write_bytes(before.encode("gb18030"))
    early.start([path])
    entry = _wait_read(path)
    assert entry.data == before.encode("gb18030")
    time.sleep(0.01)  # a later change time, on a file system that keeps coarse ones
    if how == "rewritten-same-size":
        path.write_bytes(after.encode("gb18030"))
    elif how == "replaced":
        (tmp_path / "new.csv").write_bytes(after.encode("gb18030"))
        os.replace(tmp_path / "new.csv", path)
    elif how == "grown":
        path.write_bytes(after.encode("gb18030") + "晋商发〔2021〕10号,外资处,主动公开\n".encode("gb18030"))
    else:
        path.unlink()
    from test_reading import DOCS, cells

    if how == "removed":
        with pytest.raises(DatasetError) as raised:
            read_table("documents", DOCS, path)
        assert str(path) in str(raised.value)
        return
    raw = read_table("documents", DOCS, path)
    assert cells(raw, "doc_id")[0] == "晋商发〔2021〕9号"
    assert early._READS == {}  # what was read early is let go at once
    assert all(child.returncode is not None for child in children[0].children)


def test_a_workbook_that_looks_like_gb18030_text_stops_its_child_when_reading_sees_what_it_is(tmp_path, children):
    """An office system's web page saved as .xls, in GB2312: it looks like GB18030 text to the
    early guess, but reading reads it as an HTML table, stops the child at once and keeps
    nothing of it."""
    from test_reading import DOCS, HEADER, RECORDS, TITLE, cells, html_table

    path = tmp_path / "export.xls"
    path.write_bytes(html_table([TITLE, HEADER, RECORDS[0]], "gb2312"))
    early.start([path])
    assert _wait_read(path).decodes
    raw = read_table("documents", DOCS, path)
    assert raw.report["format"] == "html" and cells(raw, "doc_id") == ["晋商发〔2021〕1号"]
    assert early._READS == {}
    assert all(child.returncode is not None for child in children[0].children)


def test_utf8_and_small_files_start_no_child(tmp_path, monkeypatch):
    """A UTF-8 ledger (with or without its mark) and a GB18030 one under the child's size are
    only read early: no child runs for them."""
    started = Counted(decoding.decode_in_child)
    monkeypatch.setattr(early, "decode_in_child", started)
    text = "文号,起草处室,公开属性\n晋商发〔2021〕1号,外贸处,主动公开\n"
    files = {"utf8.csv": text.encode("utf-8"), "bom.csv": codecs.BOM_UTF8 + text.encode("utf-8"),
             "small-gb.csv": text.encode("gb18030"), "utf16.csv": codecs.BOM_UTF16_LE + text.encode("utf-16-le")}
    from test_reading import DOCS, cells

    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        early.start([tmp_path / name])
        assert not _wait_read(tmp_path / name).decodes, name
        assert cells(read_table("documents", DOCS, tmp_path / name), "doc_id") == ["晋商发〔2021〕1号"], name
    assert started.calls == 0 and early._READS == {}


def test_the_end_of_the_command_stops_a_child_still_decoding(tmp_path, children):
    """A command that ends (or fails) before reading takes the file, a large one still being
    decoded: its child is stopped, and nothing read is kept."""
    at_start, _ = children
    path = tmp_path / "big.csv"
    path.write_bytes("晋商发〔2021〕1号,关于开展外贸调查的通知,外贸处,主动公开\r\n".encode("gb18030") * 600_000)
    early.start([path])
    deadline = time.monotonic() + 10
    while not at_start.children and time.monotonic() < deadline:
        time.sleep(0.001)
    assert at_start.children, "no child started"
    early.clear()
    child = at_start.children[0]
    assert child.returncode is not None and child.returncode != 0  # stopped, not run to its end
    assert early._READS == {}


def test_a_path_that_is_no_file_is_left_to_reading(tmp_path):
    """A folder, a missing file, a sheet named after '#': nothing is read early, and reading
    says what it says without it."""
    early.start([tmp_path, tmp_path / "missing.csv", f"{tmp_path / 'book.xlsx'}#Sheet1"])
    for entry in list(early._READS.values()):
        assert entry.read.wait(10) and entry.data is None
    assert early.take(tmp_path) is None and early.take(tmp_path / "missing.csv") is None


def test_a_command_that_fails_before_reading_keeps_nothing_and_leaves_no_child(tmp_path, children):
    """The rulebook's check of the files fails (a ledger that does not exist) after a large
    GB18030 one was read early and its child started: when the command has returned, nothing
    read is kept and the child is gone, without anything else cleaning up."""
    at_start, _ = children
    big = tmp_path / "documents.csv"
    big.write_bytes("晋商发〔2021〕1号,关于开展外贸调查的通知,外贸处,主动公开\r\n".encode("gb18030") * 300_000)
    code, err = invoke(["audit", "--data", f"documents={big}", "--data", f"requests={tmp_path / 'nowhere.csv'}",
                        "--html", tmp_path / "r.html"])
    assert code == 2 and "nowhere.csv" in err
    assert early._READS == {}
    assert at_start.children and all(child.poll() is not None for child in at_start.children)


def test_a_path_through_a_symbolic_link_and_dotdot_reads_the_file_it_names(tmp_path, monkeypatch):
    """``link/../documents.csv`` where ``link`` leads into another folder: the file read is the
    one the operating system opens (beside the link's target), as without reading early, not
    the one the text would name with ``..`` taken away."""
    from test_reading import DOCS, cells

    (tmp_path / "other" / "sub").mkdir(parents=True)
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "link").symlink_to(tmp_path / "other" / "sub")
    (tmp_path / "work" / "documents.csv").write_text("文号,起草处室,公开属性\n近处1号,外贸处,主动公开\n", encoding="utf-8")
    (tmp_path / "other" / "documents.csv").write_text("文号,起草处室,公开属性\n远处2号,外资处,主动公开\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "work")
    label = "link/../documents.csv"
    early.start([label])
    assert cells(read_table("documents", DOCS, label), "doc_id") == ["远处2号"]
    assert early._READS == {}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_not_read_early_nor_waited_on(tmp_path):
    """A FIFO given as a ledger: the early reader neither blocks on it nor takes a writer's
    bytes; the command says what it says of a pipe, at once."""
    import threading

    fifo = tmp_path / "documents.csv"
    os.mkfifo(fifo)
    started = time.monotonic()
    code, err = invoke(["audit", "--data", f"documents={fifo}", "--html", tmp_path / "r.html"])
    assert code == 2 and str(fifo) in err
    assert time.monotonic() - started < 5
    assert early._READS == {}
    got = []
    writer = threading.Thread(target=lambda: got.append(fifo.open("wb").write(b"written")), daemon=True)
    writer.start()  # a writer waits for a reader: none may have taken the pipe
    writer.join(0.5)
    assert writer.is_alive() and not got
    with open(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK), "rb") as reader:  # let the writer go
        writer.join(5)
        reader.read()
