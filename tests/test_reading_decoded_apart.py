"""A large GB18030 body is re-encoded to UTF-8 by a child process running this interpreter's
codec (``reading._decode_in_child``), so that the GIL is free for a ledger read beside it.
The child's UTF-8 is the codec's, byte for byte; bytes it refuses, and every way the child
can fail, give what decoding here gives: the text, or the error naming the file.

The tests of ``tests/test_reading.py`` and ``tests/test_datasets.py`` that read GB18030 or GBK
run again here with every GB18030 body decoded in the child (none is too small for it). Each
time the child gave no text, decoding here must refuse the bytes too, so that these tests
cannot pass by decoding in this process instead.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import disclosure_rules as dr
from disclosure_rules import reading
from disclosure_rules.errors import DatasetError

_GB = re.compile(r"gb18030|gbk", re.IGNORECASE)
for _name in ("test_reading.py", "test_datasets.py"):
    _spec = importlib.util.spec_from_file_location(f"{_name[:-3]}_decoded_apart", Path(__file__).with_name(_name))
    _module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
    globals().update({name: value for name, value in vars(_module).items()
                      if name.startswith("test_") and callable(value) and _GB.search(inspect.getsource(value))})


class Children:
    """What the child gave: its UTF-8 (``decoded``) or nothing (``refused``: bytes that decoding
    here refuses too)."""

    def __init__(self, child):
        self.child = child  # the function itself, unchecked
        self.decoded = 0
        self.refused = 0


@pytest.fixture(autouse=True)
def children(monkeypatch):
    child = reading._decode_in_child
    seen = Children(child)

    def checked(data):
        utf8 = child(data)
        if utf8 is None:
            with pytest.raises(UnicodeDecodeError):  # the child gave up only on bytes the codec refuses
                bytes(data).decode("gb18030")
            seen.refused += 1
        else:
            seen.decoded += 1
        return utf8

    monkeypatch.setattr(reading, "CHILD_DECODE_BYTES", 0)
    monkeypatch.setattr(reading, "_decode_in_child", checked)
    return seen


def _here(data: bytes) -> bytes:
    return data.decode("gb18030").encode("utf-8")


# text as ledgers hold it: ASCII, GB2312/GBK characters (two bytes), characters GB18030 codes in
# four bytes (CJK extension B, emoji, rare symbols), line ends of every kind
_CHARS = st.one_of(st.sampled_from(list("ab,\"\r\n 1年月日处室。、（）\u3000") + ["\r\n"]),
                   st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
                   st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),
                   st.sampled_from(["\u00e9", "\u20ac", "\U0001F600", "\u0101", "\uE5E5", "\u01F9"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(_CHARS, max_size=300).map("".join), piece=st.integers(1, 9))
def test_the_child_gives_the_codecs_utf8_byte_for_byte(text, piece, monkeypatch, children):
    """Whatever the text, and wherever the child's pieces cut its characters apart."""
    monkeypatch.setattr(reading, "DECODE_CHUNK", piece)
    data = text.encode("gb18030")
    utf8 = reading._decode_in_child(data)
    assert utf8 is not None and bytes(utf8) == _here(data)
    assert bytes(reading._decode_gb18030("ledger.csv", data)) == _here(data)


@pytest.mark.parametrize("at", ["inside", "end"])
@pytest.mark.parametrize("bad", [b"\x81\n", b"\xff", b"\x81\x30\x81", b"\x80", b"\x81", b"\x81\x30"],
                         ids=["lead-before-newline", "ff", "cut-four-byte", "80", "lone-lead", "half-four-byte"])
def test_bytes_the_codec_refuses_are_refused_naming_the_file(bad, at, children):
    """Inside the text, or cut off at its very end (where only the decoder's last, final call
    finds a character left incomplete)."""
    data = "文号,公开属性\n晋商发1号,主动公开\n".encode("gb18030") + bad
    if at == "inside":
        data += "晋商发2号,不予公开\n".encode("gb18030")
    assert reading._decode_in_child(data) is None
    with pytest.raises(DatasetError) as raised:
        reading._decode_gb18030("台账.csv", data)
    assert "台账.csv" in str(raised.value)
    assert children.refused == 2


@pytest.mark.parametrize("size", ["small", "past-the-pipe"])
@pytest.mark.parametrize("how", ["no-interpreter", "missing-interpreter", "another-python", "no-memfd",
                                 "pipe-fails", "frozen", "sigpipe-default", "not-python", "stand-in-exits-0",
                                 "stand-in-reads-half"])
def test_where_the_child_cannot_decode_the_text_is_decoded_here(how, size, monkeypatch, tmp_path, children):
    """Every way the child cannot be used, with a body that fits in the pipe's buffer and one
    far past it (the child stops while this process still writes); afterwards no child is
    left running and its pipe is closed."""
    import os
    import signal
    import subprocess

    line = "晋商发〔2021〕1号,关于开展外贸调查的通知,2021年7月28日,\U00020000\r\n".encode("gb18030")
    data = line * (500 if size == "small" else 20_000)
    assert bytes(children.child(data)) == _here(data)
    started = []

    class Recorded(subprocess.Popen):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(subprocess, "Popen", Recorded)
    if how == "no-interpreter":
        monkeypatch.setattr(sys, "executable", "")
    elif how == "missing-interpreter":
        monkeypatch.setattr(sys, "executable", "/nonexistent/python3")
    elif how == "another-python":  # the child runs a Python whose codec tables could differ
        monkeypatch.setattr(sys, "hexversion", sys.hexversion + 1)
    elif how == "no-memfd":  # not Linux
        monkeypatch.delattr(os, "memfd_create")
    elif how == "pipe-fails":  # the pipe to the child fails (the child is stopped, not left running)
        write = os.write

        def failing(fd, body):
            if len(body) >= 4096:
                raise OSError(5, "Input/output error")
            return write(fd, body)

        monkeypatch.setattr(os, "write", failing)
    elif how == "frozen":  # a program built by PyInstaller: sys.executable is the program
        monkeypatch.setattr(sys, "frozen", True, raising=False)
    elif how == "sigpipe-default":  # a program that restored SIGPIPE would be killed by it
        monkeypatch.setattr(signal, "getsignal", lambda number: signal.SIG_DFL)
    else:  # an interpreter that is not this one: an embedding server's binary, or a stand-in
        program = tmp_path / ("uwsgi" if how == "not-python" else "python3")
        script = {"not-python": "exit 0", "stand-in-exits-0": "exit 0",
                  "stand-in-reads-half": f"head -c {len(data) // 2} > /dev/null; exit 0"}[how]
        program.write_text(f"#!/bin/sh\n{script}\n")
        program.chmod(0o755)
        monkeypatch.setattr(sys, "executable", str(program))
    assert children.child(data) is None
    assert all(p.returncode is not None and p.stdin.closed for p in started)
    monkeypatch.setattr(reading, "_decode_in_child", children.child)
    assert bytes(reading._decode_gb18030("ledger.csv", data)) == _here(data)


def test_an_empty_body_decodes_to_nothing(children):
    assert bytes(reading._decode_in_child(b"")) == b""


BOOK = dr.load_rulebook("builtin:shanxi-commerce-2021")


def test_two_gb18030_ledgers_read_side_by_side_type_as_decoded_here(tmp_path, monkeypatch, children):
    """Both example ledgers in GB18030 with their title rows, read together in threads (as an
    audit reads them) with each body decoded in its own child: the same typed frames, row
    numbers, issues and reading report as decoded in this process."""
    from disclosure_rules.engine import _load_all
    from ledgers import gb18030_examples

    paths = gb18030_examples(tmp_path)
    apart = _load_all(BOOK, {name: str(p) for name, p in paths.items()})
    assert children.decoded == 2
    monkeypatch.setattr(reading, "CHILD_DECODE_BYTES", 1 << 62)
    here = _load_all(BOOK, {name: str(p) for name, p in paths.items()})
    assert children.decoded == 2
    for name in paths:
        a, b = apart[name], here[name]
        assert a.reading["encoding"] == "gb18030"
        assert a.frame.equals(b.frame) and (a.rows == b.rows).all()
        assert a.issues == b.issues and a.reading == b.reading


def test_a_child_that_refuses_the_first_piece_of_a_long_body_stops_and_the_file_is_refused(monkeypatch, children):
    """The child exits on its first piece while this process still writes the rest (far past
    the pipe's buffer): the write's broken pipe is no error here, and the file is refused."""
    monkeypatch.setattr(reading, "DECODE_CHUNK", 4096)
    data = b"\xff" + "晋商发〔2021〕1号,主动公开\r\n".encode("gb18030") * 50_000
    assert children.child(data) is None
    with pytest.raises(DatasetError) as raised:
        reading._decode_gb18030("长台账.csv", data)
    assert "长台账.csv" in str(raised.value)
