"""The wheel carries the bundled rulebooks, report templates and examples (DESIGN §2).

The wheel is built from a copy of the sources (so that the working tree gets no
``build/`` folder), installed with ``--no-deps`` into a fresh venv whose only extra
path is this venv's site-packages (for pandas & co., not for disclosure_rules: the
editable install's hook is a .pth file there, which a plain path entry does not
run), and the console script is run from outside the repository. About 20-40 s.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 180


def _copy_sources(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, target / name)
    shutil.copytree(REPO / "src", target / "src", ignore=ignore)
    for folder in ("rules", "examples", "reports/templates"):
        shutil.copytree(REPO / folder, target / folder, ignore=ignore)
    return target


def _run(args: list, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT, **kwargs)


def _build_wheel(source: Path, dist: Path) -> Path:
    """Build with `python -m build` (isolated), else `pip wheel` without isolation; skip if neither can."""
    attempts = [
        [sys.executable, "-m", "build", "--wheel", "--outdir", dist, source],
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", dist, source],
    ]
    report = []
    for args in attempts:
        done = _run(args, cwd=source)
        wheels = sorted(dist.glob("disclosure_rules-*.whl"))
        if done.returncode == 0 and wheels:
            return wheels[0]
        report.append(f"{' '.join(map(str, args[1:4]))}: {(done.stderr or done.stdout).strip()[-300:]}")
    pytest.skip("cannot build the wheel here (offline, no build backend?): " + " | ".join(report))


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv bin folder, folder outside the repository) with the freshly built wheel installed."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    wheel = _build_wheel(_copy_sources(source), root / "dist")

    venv = root / "venv"
    done = _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=root)
    assert done.returncode == 0, done.stderr
    python = venv / "bin" / "python"
    done = _run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
                 "--no-index", wheel], cwd=root)
    assert done.returncode == 0, done.stderr
    # dependencies come from this venv (added after the new venv's own site-packages)
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root)
                .stdout.strip())
    (site / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    outside = root / "elsewhere"
    outside.mkdir()
    return venv / "bin", outside


def test_wheel_contains_the_bundled_folders(installed):
    """The installed package is the wheel's (not the repository's) and carries rules, templates, examples."""
    bin_dir, outside = installed
    code = ("import disclosure_rules, pathlib; p = pathlib.Path(disclosure_rules.__file__).parent; print(p); "
            "print(sorted(x.name for x in (p / '_rules').glob('*.yaml'))); "
            "print(any((p / '_templates').glob('*.j2'))); "
            "print(sorted(x.name for x in (p / '_examples').iterdir()))")
    done = _run([bin_dir / "python", "-c", code], cwd=outside)
    assert done.returncode == 0, done.stderr
    location, rules, templates, examples = done.stdout.splitlines()
    assert str(REPO) not in location
    assert "shanxi-commerce-2021.yaml" in rules
    assert templates == "True"
    for name in ("documents.csv", "requests.csv", "messages.xlsx", "opinions.xlsx", "meetings.xlsx", "waivers.yaml"):
        assert name in examples


def test_installed_validate_builtin(installed):
    """`disclosure-rules validate builtin:shanxi-commerce-2021` works from outside the repository."""
    bin_dir, outside = installed
    done = _run([bin_dir / "disclosure-rules", "validate", "builtin:shanxi-commerce-2021"], cwd=outside)
    assert done.returncode == 0, done.stderr
    assert "valid" in done.stdout or "有效" in done.stdout  # in the terminal's language


def test_installed_demo_writes_the_outputs(installed):
    """`disclosure-rules demo -o DIR` runs the bundled examples end to end from outside the repository."""
    bin_dir, outside = installed
    done = _run([bin_dir / "disclosure-rules", "demo", "-o", "demo-out"], cwd=outside)
    assert done.returncode == 0, done.stderr
    out = outside / "demo-out"
    for name in ("audit-report.html", "result.json", "findings.xlsx"):
        assert (out / name).stat().st_size > 0, name
    assert "得分:" in done.stdout  # the summary is Chinese by default


def test_installed_template_and_explain(installed):
    """template and explain need only the bundled rulebook."""
    bin_dir, outside = installed
    done = _run([bin_dir / "disclosure-rules", "template", "requests", "-o", "requests.xlsx"], cwd=outside)
    assert done.returncode == 0, done.stderr
    assert (outside / "requests.xlsx").is_file()
    done = _run([bin_dir / "disclosure-rules", "explain", "REQ-DEADLINE-01"], cwd=outside)
    assert done.returncode == 0, done.stderr
    assert "REQ-DEADLINE-01" in done.stdout
