"""``make demo`` prints no setuptools banner that looks like a failure.

The project's metadata is read by the same build backend ``make`` installs with (pip's
isolated build of ``pyproject.toml``), from a copy of the sources, with warnings shown: the
``license = {text = ...}`` table made setuptools print a boxed deprecation notice (``!!``,
``****``). The editable-install notice of the build step is silenced in the Makefile itself
(PYTHONWARNINGS=ignore on that line); the demo's own output has no warning either. About 5-10 s.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from test_wheel import REPO, _copy_sources

BANNER = ("!!", "*****", "Deprecat", "deprecated")


def _noise(line: str) -> bool:
    """pip's notes about this machine's package index configuration, not about the project."""
    return line.startswith("WARNING: Location ") or not line.strip()


def test_reading_the_project_metadata_prints_no_banner(tmp_path):
    """pip's metadata build of the project (what make's install runs first) says nothing."""
    source = _copy_sources(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONWARNINGS", "PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--dry-run", "--no-deps", "-e", "."],
                          cwd=source, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 and "No matching distribution" in done.stderr:
        pytest.skip("no package index for the isolated build's setuptools")
    assert done.returncode == 0, done.stderr
    said = [line for line in (done.stdout + done.stderr).splitlines() if not _noise(line)]
    assert not [line for line in said if any(mark in line for mark in BANNER)], "\n".join(said)


def test_make_installs_quietly_and_the_demo_prints_no_warning(tmp_path):
    """The Makefile's install line silences the build backend's notices, and ``disclosure-rules
    demo`` (what ``make demo`` runs) writes its summary with no Python warning in it."""
    recipe = (REPO / "Makefile").read_text(encoding="utf-8")
    install = next(line for line in recipe.splitlines() if "pip install" in line and " -e " in line)
    assert install.strip().startswith("PYTHONWARNINGS=ignore")
    script = os.path.join(os.path.dirname(sys.executable), "disclosure-rules")
    done = subprocess.run([script, "demo", "-o", str(tmp_path / "demo")], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONWARNINGS": "default"})
    assert done.returncode == 0, done.stderr
    assert not [mark for mark in (*BANNER, "Warning:", "warnings.warn") if mark in done.stdout + done.stderr]
