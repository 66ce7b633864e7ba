r"""Regular expressions of ``matches()``: Python-style patterns run on RE2.

RE2 (``pyarrow.compute.match_substring_regex`` here; DuckDB and Spark's RE2 flavour
later) matches in linear time, so a pattern RE2 cannot compile (backreferences,
lookaround, possessive or atomic groups) is refused at load and never run by Python's
``re``. :func:`re2_pattern` translates what differs: ``\d``, ``\w`` and ``\s`` keep their
Python (Unicode) meaning on Chinese text; ``\b`` and ``\B`` are refused (RE2 knows only
ASCII words, Chinese has no spaces between words).
"""

from __future__ import annotations

import re

from ._lazy import Lazy

pa = Lazy("pa", "pyarrow", globals())
pc = Lazy("pc", "pyarrow.compute", globals())

__all__ = ["RegexError", "re2_pattern", "re2_search"]


class RegexError(ValueError):
    """A matches() pattern RE2 cannot compile; the message says why and what to write."""


_RE2_REASONS = (
    ("invalid perl operator: (?=", "lookahead (?=...) is not supported"),
    ("invalid perl operator: (?!", "negative lookahead (?!...) is not supported"),
    ("invalid perl operator: (?<=", "lookbehind (?<=...) is not supported"),
    ("invalid perl operator: (?<!", "negative lookbehind (?<!...) is not supported"),
    ("invalid perl operator: (?>", "atomic groups (?>...) are not supported"),
    ("invalid perl operator: (?P=", "backreferences (?P=name) are not supported"),
    ("invalid perl operator: (?#", "comments (?#...) are not supported"),
    ("bad repetition operator: *+", "possessive quantifiers (*+ ++ ?+) are not supported"),
    ("bad repetition operator: ++", "possessive quantifiers (*+ ++ ?+) are not supported"),
    ("bad repetition operator: ?+", "possessive quantifiers (*+ ++ ?+) are not supported"),
)
_RE2_NOTE = ("patterns run on RE2, which matches every cell in linear time and so has no "
             "backreferences or lookaround; rewrite the pattern without them")

# Python's \d \w \s are Unicode-wide; RE2's are ASCII only. Written as RE2 classes so that
# 'matches(title, "^\w+$")' still matches Chinese text as it did under Python's re.
_CLASS_PARTS = {"d": r"\p{Nd}", "w": r"\p{L}\p{N}_", "s": r"\t\n\v\f\r\x{1c}-\x{1f}\x{85}\p{Z}"}
_OUTSIDE = {"d": r"\p{Nd}", "D": r"\P{Nd}", "w": "[" + _CLASS_PARTS["w"] + "]", "W": "[^" + _CLASS_PARTS["w"] + "]",
            "s": "[" + _CLASS_PARTS["s"] + "]", "S": "[^" + _CLASS_PARTS["s"] + "]", "Z": r"\z"}
_INSIDE = {"d": _CLASS_PARTS["d"], "D": r"\P{Nd}", "w": _CLASS_PARTS["w"], "s": _CLASS_PARTS["s"], "b": r"\x{8}"}


def re2_pattern(pattern: str) -> str:
    r"""A Python-style pattern as RE2 syntax with the same meaning; RegexError if it has none.

    Translates the Unicode classes ``\d \w \s`` (and their negations), ``\Z``, ``\u`` with
    four hex digits, ``\U`` with eight, and ``{,n}``; refuses ``\b``/``\B`` and ``\W``/``\S`` inside ``[...]``.
    Everything else is passed to RE2 as written.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            e = pattern[i + 1]
            if e in "uU":
                width = 4 if e == "u" else 8
                digits = pattern[i + 2:i + 2 + width]
                if len(digits) != width or not all(h in "0123456789abcdefABCDEF" for h in digits):
                    raise RegexError(f"\\{e} needs {width} hex digits")
                out.append("\\x{" + digits + "}")
                i += 2 + width
                continue
            table = _INSIDE if in_class else _OUTSIDE
            if e in table:
                out.append(table[e])
            elif e in "bB" and not in_class:
                raise RegexError(f"\\{e} (a word boundary) is not supported: RE2 knows only ASCII words, "
                                 "and Chinese text has no spaces between words; use ^, $ or a character class")
            elif e in "WS" and in_class:
                raise RegexError(f"\\{e} inside [...] is not supported; write a negated class [^...] instead")
            else:
                out.append(c + e)
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            start = i
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":
                i += 1  # a ] right after [ or [^ is a member, not the end
            out.append(pattern[start:i])
            in_class = True
            continue
        if c == "{" and pattern.startswith(",", i + 1):
            close = pattern.find("}", i)
            if close > i + 2 and pattern[i + 2:close].isdigit():
                out.append("{0" + pattern[i + 1:close + 1])  # Python's {,n} is {0,n}; RE2 reads it literally
                i = close + 1
                continue
        out.append(c)
        i += 1
    return "".join(out)


def re2_search(texts, regex: str):
    r"""Whether ``regex`` (RE2 syntax) occurs in each text (a numpy bool array), in linear
    time; RegexError if RE2 cannot compile it. Lone surrogates (no UTF-8 form) are
    matched as U+FFFD."""
    try:
        array = pa.array(texts, type=pa.string())
    except (UnicodeError, pa.lib.ArrowException):
        array = pa.array([t.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for t in texts],
                         type=pa.string())
    return _match(array, regex).to_numpy(zero_copy_only=False).astype(bool)


def re2_check(regex: str) -> None:
    """RegexError if RE2 cannot compile ``regex``.

    RE2's own Python binding (google-re2, a few milliseconds to import) compiles it first:
    the same library Arrow matches with, so a pattern it takes Arrow takes (a property test
    holds them together). A pattern it refuses is compiled by Arrow, on one empty text built
    from Arrow buffers, for the refusal in Arrow's words; so checking a rulebook imports
    neither pyarrow, numpy nor pandas."""
    try:
        import re2
    except ImportError:  # an install without the binding: Arrow alone
        re2 = None
    if re2 is not None:
        options = re2.Options()
        options.log_errors = False  # no absl log lines on the terminal
        try:
            re2.compile(regex, options=options)
            return
        except re2.error:
            pass
    empty = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(bytes(8)), pa.py_buffer(b"")])
    _match(empty, regex)


def _match(array, regex: str):
    try:
        return pc.match_substring_regex(array, pattern=regex)
    except pa.lib.ArrowInvalid as exc:
        message = str(exc).removeprefix("Invalid regular expression: ")
        reason = next((why for key, why in _RE2_REASONS if message.startswith(key)), None)
        if reason is None and message.startswith("invalid perl operator: (?P") and "(?P=" in regex:
            reason = "backreferences (?P=name) are not supported"
        if reason is None and re.match(r"invalid escape sequence: \\[1-9]", message):
            reason = "backreferences (\\1, \\2 ...) are not supported"
        raise RegexError(f"{reason or message}; {_RE2_NOTE}") from None
