"""``disclosure-rules demo``: the built-in 2021 rulebook on the bundled example ledgers.

The examples folder holds one file per dataset, named after it
(``documents.csv``, ``requests.csv``, ``messages.xlsx`` ...), and ``waivers.yaml``.
"""

from __future__ import annotations

from pathlib import Path

from .resources import DEFAULT_RULEBOOK, examples_dir

DEMO_AS_OF = "2021-12-31"


def example_data(book) -> dict[str, Path]:
    """The bundled example file of each dataset of ``book`` that has one."""
    folder = examples_dir()
    found = {}
    for name in book.datasets:
        for suffix in (".csv", ".xlsx"):
            path = folder / f"{name}{suffix}"
            if path.is_file():
                found[name] = path
                break
    return found


def run_demo(output: Path, *, lang: str = "zh", progress=None):
    from .engine import audit
    from .rulebook import load_rulebook

    book = load_rulebook(DEFAULT_RULEBOOK)
    waivers = examples_dir() / "waivers.yaml"
    result = audit(book, example_data(book), as_of=DEMO_AS_OF,
                   waivers=waivers if waivers.is_file() else None, progress=progress)
    output.mkdir(parents=True, exist_ok=True)
    paths = {"html": output / "audit-report.html", "json": output / "result.json",
             "findings": output / "findings.xlsx"}
    result.write_json(paths["json"])
    result.write_html(paths["html"], lang=lang)
    result.write_findings(paths["findings"], lang=lang)
    return result, paths
