"""Exceptions a user of the library can catch.

"Your data is wrong" is a result (findings, data issues); "your rulebook is wrong"
or "this file cannot be read" is an exception, raised before anything is evaluated,
with a location a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass


class DisclosureRulesError(Exception):
    """Base class of every error this library raises on purpose.

    ``zh``: the message in Chinese, where the raiser gave one (the command line shows it
    when its language is Chinese); ``str(error)`` is the English message."""

    zh: str | None = None


@dataclass(frozen=True)
class Problem:
    """One problem in a rulebook, with where it is."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file or "<rulebook>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class RulebookError(DisclosureRulesError):
    """The rulebook is invalid; ``problems`` lists each one with file, line and column."""

    def __init__(self, problems: list[Problem] | Problem | str, *, what: str = "rulebook"):
        self.what = what
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        if len(self.problems) == 1:
            return f"Invalid {self.what}: {self.problems[0]}"
        lines = [f"Invalid {self.what} ({len(self.problems)} problems):"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    @property
    def zh(self) -> str:
        """The message in Chinese: each problem's place as is, its text as words.error_text reads it."""
        from .words import error_text

        def where(p: Problem) -> str:
            return str(p)[: len(str(p)) - len(p.message)] + error_text(p.message, "zh")

        what = "豁免清单" if self.what == "waivers file" else "考核方案"
        if len(self.problems) == 1:
            return f"{what}有误：{where(self.problems[0])}"
        return "\n".join([f"{what}有误（{len(self.problems)} 处）："] + [f"  - {where(p)}" for p in self.problems])

    @property
    def file(self) -> str | None:
        return self.problems[0].file if self.problems else None

    @property
    def line(self) -> int | None:
        return self.problems[0].line if self.problems else None

    @property
    def column(self) -> int | None:
        return self.problems[0].column if self.problems else None


class DatasetError(DisclosureRulesError):
    """A ledger cannot be read: which file, which columns were expected and found."""

    def __init__(self, message: str, *, file: str | None = None,
                 expected: list[str] | None = None, found: list[str] | None = None, zh: str | None = None):
        self.file = file
        self.zh = zh
        self.expected = list(expected or [])
        self.found = list(found or [])
        # a file name that is not UTF-8 (surrogate escapes) must not break the terminal or a log
        super().__init__(message.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                         if any("\ud800" <= ch <= "\udfff" for ch in message) else message)
