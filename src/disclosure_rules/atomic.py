"""Atomic output files: written to a temporary file in the same folder, then renamed.

A failed or interrupted run therefore never leaves a half-written report, and an
existing file keeps its contents until the new one is complete. A new file gets the
usual permissions (0666 less the umask; ``mkstemp`` alone would make it private), a
replaced file keeps its mode.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable


def write_via_temp(path: str | os.PathLike, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp_path)`` and move the result over ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=str(target.parent))
    os.close(fd)
    try:
        write(Path(tmp))
        if target.exists():
            mode = target.stat().st_mode & 0o777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    write_via_temp(path, lambda tmp: tmp.write_bytes(data))
