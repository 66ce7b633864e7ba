"""Ledger files read, and a large GB18030 one's re-encoding started in a child process, while
the command line still imports pandas and loads the rulebook (0.5-0.7 s on one core, the
other idle). The standard library only, so that it starts before those imports.

Nothing here decides anything about a ledger. :mod:`reading` takes the bytes read here only
when the file is the one it would read now (the same device, inode, size and change times),
and takes the child's UTF-8 only where it decodes these very bytes as GB18030 itself (its own
judgement of the encoding, as for any file); a child started for a file that reading judges
otherwise is stopped. The child is :func:`decoding.decode_in_child`, the one reading starts
itself: the same codec in the same pieces, its byte counts checked.
"""

from __future__ import annotations

import codecs
import os
import stat
import threading
from pathlib import Path

from .decoding import CHILD_DECODE_BYTES, child_may_decode, decode_in_child

#: how much of a file is looked at to guess that it is GB18030 (reading judges with its own)
_HEAD = 256 * 1024

_LOCK = threading.Lock()
_READS: dict[str, "_Read"] = {}


class _Read:
    def __init__(self, path: str):
        self.path = path
        self.data: bytes | None = None
        self.signature: tuple | None = None
        self.decodes = False            # a child is decoding (or will decode) these bytes
        self.utf8 = None                # its UTF-8, or None: refused, failed or stopped
        self.child = None
        self.stopped = False
        self.read = threading.Event()   # data, signature and decodes are set
        self.done = threading.Event()   # utf8 is set (or no child runs)
        self.thread = threading.Thread(target=self._run, daemon=True, name="disclosure-rules-early")

    def _run(self) -> None:
        try:
            try:
                if not stat.S_ISREG(os.stat(self.path).st_mode):  # a pipe or device: reading alone
                    return
                # not blocking: a file that turned into a pipe since is not waited on (nor its
                # writer's data taken)
                fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
                with open(fd, "rb") as file:
                    info = os.fstat(fd)
                    if not stat.S_ISREG(info.st_mode):
                        return
                    data = file.read()
            except Exception:  # noqa: BLE001 - reading says what is wrong with the file, in its words
                return
            if len(data) != info.st_size:  # written to while read: reading reads it again
                return
            self.data, self.signature = data, _signature(info)
            self.decodes = len(data) >= CHILD_DECODE_BYTES and _looks_gb18030(data) and child_may_decode()
        finally:
            self.read.set()
        try:
            if self.decodes:
                self.utf8 = decode_in_child(self.data, started=self._started)
        except Exception:  # noqa: BLE001 - reading decodes the bytes itself
            self.utf8 = None
        finally:
            self.done.set()

    def _started(self, child) -> None:
        with _LOCK:
            self.child = child
            stopped = self.stopped
        if stopped:
            child.kill()

    def stop(self) -> None:
        with _LOCK:
            self.stopped = True
            child = self.child
        if child is not None and child.poll() is None:
            child.kill()
        self.thread.join(timeout=2)  # a killed child's thread ends at once; a slow read is a daemon's
        self.data = self.utf8 = None


def _signature(info: os.stat_result) -> tuple:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _looks_gb18030(data: bytes) -> bool:
    """A guess only, for whether to start the child: no byte-order mark, no NUL (UTF-16 text,
    a workbook or another binary) and a head that is not UTF-8."""
    head = data[:_HEAD]
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head[:8192]:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return True
    return False


def _key(path) -> str | None:
    """The path as reading opens it, made absolute: ``..`` is left as it is (after a symbolic
    link it is not the folder the text names). None where the working folder is gone."""
    try:
        return os.fspath(Path(path).absolute())
    except (OSError, ValueError):
        return None


def _file_of(label: str) -> str:
    """The file of a ``--data`` value: ``book.xlsx#Sheet1`` names a sheet of ``book.xlsx`` when
    no file has the whole name and that one exists (as reading takes it)."""
    if "#" in label and not os.path.exists(label):
        base = label.rsplit("#", 1)[0]
        if os.path.exists(base):
            return base
    return label


def start(labels) -> None:
    """Read the file of each ``--data`` value in ``labels`` in a thread of its own, and start a
    child decoding it where it looks like a large GB18030 text."""
    for label in labels:
        key = _key(_file_of(os.fspath(label)))
        if key is None:
            continue
        with _LOCK:
            if key in _READS:
                continue
            _READS[key] = entry = _Read(key)
        entry.thread.start()


def take(path) -> bytes | None:
    """The bytes of ``path`` read by :func:`start`, if it is still the same file (else None:
    read it now). Taken once."""
    key = _key(path)
    with _LOCK:
        entry = _READS.get(key) if key is not None else None
    if entry is None:
        return None
    entry.read.wait()
    data = entry.data
    try:
        same = data is not None and _signature(os.stat(key)) == entry.signature
    except OSError:
        same = False
    if not same or not entry.decodes:  # nothing more to hand over for these bytes
        _drop(key, entry)
        return data if same else None
    with _LOCK:  # kept, without its path, until reading asks for the child's UTF-8 of these bytes
        _READS.pop(key, None)
        _READS[f"\0{id(data)}"] = entry
    return data


#: what :func:`decoded` gives for bytes no child decodes
NOT_DECODING = object()


def decoded(data):
    """The child's UTF-8 of ``data`` (bytes :func:`take` gave), None where it gave none (refused,
    failed), or :data:`NOT_DECODING` where no child was started for these bytes."""
    key = f"\0{id(data)}"
    with _LOCK:
        entry = _READS.get(key)
        if entry is None or entry.data is not data:
            return NOT_DECODING
        del _READS[key]
    try:
        entry.done.wait()
    except BaseException:  # interrupted: the child goes too
        entry.stop()
        raise
    utf8, entry.data, entry.utf8 = entry.utf8, None, None
    return utf8


def _drop(key: str, entry: _Read) -> None:
    with _LOCK:
        if _READS.get(key) is entry:
            del _READS[key]
    entry.stop()


def clear() -> None:
    """Every read not taken let go, and every child stopped (the command's end, or its failure)."""
    with _LOCK:
        entries = list(_READS.items())
    for key, entry in entries:
        _drop(key, entry)


def discard(data) -> None:
    """No UTF-8 is wanted of ``data`` (reading judged it another encoding): its child stopped."""
    key = f"\0{id(data)}"
    with _LOCK:
        entry = _READS.get(key)
        if entry is None or entry.data is not data:
            return
    _drop(key, entry)
