"""Where the bundled rulebooks, report templates and examples are.

In the repository they live at the top (``rules/``, ``reports/templates/``,
``examples/``); a wheel carries them as the packages ``disclosure_rules._rules``,
``_templates`` and ``_examples`` (see pyproject.toml). Both layouts are found.
"""

from __future__ import annotations

from pathlib import Path

_REPO = Path(__file__).resolve().parents[2]


def _find(package: str, repo_relative: str) -> Path:
    repo_dir = _REPO / repo_relative
    if repo_dir.is_dir() and (_REPO / "pyproject.toml").is_file():
        return repo_dir
    import importlib.util

    spec = importlib.util.find_spec(f"disclosure_rules.{package}")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if Path(location).is_dir():
                return Path(location)
    raise FileNotFoundError(f"bundled folder {repo_relative!r} not found; reinstall disclosure-rules")


def rules_dir() -> Path:
    return _find("_rules", "rules")


def templates_dir() -> Path:
    return _find("_templates", "reports/templates")


def examples_dir() -> Path:
    return _find("_examples", "examples")


def builtin_rulebook(book_id: str) -> Path:
    """Path of the bundled rulebook ``builtin:<book_id>``."""
    for suffix in (".yaml", ".yml"):
        path = rules_dir() / f"{book_id}{suffix}"
        if path.is_file():
            return path
    available = ", ".join(sorted(p.stem for p in rules_dir().glob("*.y*ml"))) or "none"
    raise FileNotFoundError(f"no built-in rulebook {book_id!r} (available: {available})")


DEFAULT_RULEBOOK = "builtin:shanxi-commerce-2021"
