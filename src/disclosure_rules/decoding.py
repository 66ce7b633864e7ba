"""GB18030 re-encoded to UTF-8 by a child process (the standard library only: the command line
starts it before pandas is imported, :mod:`early`; :mod:`reading` decides when its text is used).
"""

from __future__ import annotations

import contextlib
import sys
from typing import Callable

#: GB18030 is re-encoded to UTF-8 in pieces of this size: the whole file never exists as a
#: Python str (4 bytes per Chinese character), which at 10M rows is several GiB of peak memory
DECODE_CHUNK = 16 * 1024 * 1024


#: a GB18030 body this large is decoded in a child process (:func:`decode_in_child`); a
#: smaller one in the process (starting the child costs about 15 ms)
CHILD_DECODE_BYTES = 32 * 1024 * 1024

#: the child's program: this interpreter's own GB18030 codec, piece by piece as
#: ``reading._decode_gb18030`` runs it in the process, UTF-8 out; exit 3 on bytes it cannot
#: decode, 4 when it is another version of Python than the parent (whose codec tables could
#: differ). Its last act is to write, to its stderr, how many bytes it read and wrote: a
#: program that is not this one (an ``sys.executable`` that is no Python) cannot pass for it
#: by exiting with 0.
_CHILD_DECODE = """
import codecs, sys
if sys.hexversion != int(sys.argv[1]):
    sys.exit(4)
decoder = codecs.getincrementaldecoder("gb18030")()
read, out = sys.stdin.buffer.read, sys.stdout.buffer
taken = given = 0
try:
    while piece := read(int(sys.argv[2])):
        taken += len(piece)
        given += out.write(decoder.decode(piece).encode("utf-8"))
    given += out.write(decoder.decode(b"", final=True).encode("utf-8"))
    out.flush()
except UnicodeDecodeError:
    sys.exit(3)
sys.stderr.write(f"decoded {taken} {given}\\n")
sys.stderr.flush()
"""


def child_may_decode() -> bool:
    """Whether a child can decode here: ``memfd_create`` (Linux), an interpreter that is a
    Python (not a frozen program's or an embedding server's own binary, which would not run
    the child's program and might not read its input), and SIGPIPE ignored as Python leaves
    it (a program that restored its default would be killed when a child stops reading)."""
    import os
    import signal

    name = os.path.basename(sys.executable or "").lower()
    sigpipe = getattr(signal, "SIGPIPE", None)
    return (hasattr(os, "memfd_create") and not getattr(sys, "frozen", False) and name.startswith("python")
            and (sigpipe is None or signal.getsignal(sigpipe) == signal.SIG_IGN))


def decode_in_child(data, chunk: int = DECODE_CHUNK, started: Callable | None = None) -> memoryview | None:
    """``data`` (GB18030) re-encoded to UTF-8 by a child process that runs this interpreter's
    codec in pieces of ``chunk`` bytes, or None where that is not done: no child may run here
    (:func:`child_may_decode`), it cannot start, it is another version of Python, the codec
    refuses the bytes, the pipe fails, the child is stopped (``started`` is given the child's
    ``Popen`` as it starts, to kill it), or the child does not say it read every byte and wrote
    what it did. The caller then decodes in the process, which gives the result or the error.

    Why: Python's codecs hold the GIL, 1.3 s for the 200 MB of a million-row ledger, and a
    ledger read beside it in another thread waits that long. The child takes the bytes
    through a pipe in one blocking write and writes its UTF-8 to an anonymous in-memory file,
    mapped here once the child has exited. This thread waits in two system calls with the GIL
    let go, and the text is never copied into this process."""
    import mmap
    import os
    import subprocess

    if not child_may_decode():
        return None
    files = []
    try:
        try:
            for name in ("disclosure-rules-utf8", "disclosure-rules-said"):
                files.append(os.memfd_create(name, getattr(os, "MFD_CLOEXEC", 1)))
        except OSError:
            return None
        out, said = files
        try:
            child = subprocess.Popen([sys.executable, "-I", "-S", "-c", _CHILD_DECODE, str(sys.hexversion),
                                      str(chunk)],
                                     stdin=subprocess.PIPE, stdout=out, stderr=said)
        except (OSError, ValueError, subprocess.SubprocessError):
            return None
        try:
            if started is not None:
                started(child)
            with memoryview(data) as view, view.cast("B") as body:
                written = 0
                with contextlib.suppress(BrokenPipeError):  # the child stopped: its exit code says why
                    while written < len(body):
                        written += os.write(child.stdin.fileno(), body[written:])
                total = len(body)
            with contextlib.suppress(OSError):
                child.stdin.close()
            code = child.wait()
        except BaseException as exc:  # a pipe that failed, or interrupted: the child goes too
            with contextlib.suppress(OSError):
                child.stdin.close()
            child.kill()
            child.wait()
            if isinstance(exc, OSError):
                return None
            raise
        size = os.fstat(out).st_size
        if code != 0 or written != total or os.pread(said, 100, 0) != f"decoded {total} {size}\n".encode():
            return None
        if size == 0:
            return memoryview(b"")
        try:
            return memoryview(mmap.mmap(out, size, prot=mmap.PROT_READ))
        except (OSError, ValueError):
            return None
    finally:
        for file in files:
            os.close(file)
