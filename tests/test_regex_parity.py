"""A matches() pattern is checked at validate time by RE2's Python binding (google-re2) and
matched at audit time by Arrow's RE2: the two must take and refuse the same patterns, or a
rulebook that validates could fail in the audit (or one that would run be refused)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_rules.expressions.regex import RegexError, re2_check

TOKENS = ["a", "第", "[", "]", "^", "$", "(", ")", "(?:", "(?P<n>", "(?P=n)", "(?i)", "(?s)", "(?<=", "(?=",
          "\\", "\\d", "\\1", "\\p{Han}", "\\pN", "\\C", "*", "+", "?", "*?", "++", "{", "}", "{2}", "{,3}",
          "{1,1001}", "|", ".", "[[:alpha:]]", "[^a-", "-", "，", "\\x{4e00}", "\\Q", "\\E"]


def _binding_takes(pattern: str) -> bool:
    options = re2.Options()
    options.log_errors = False
    try:
        re2.compile(pattern, options=options)
        return True
    except re2.error:
        return False


def _arrow_takes(pattern: str) -> bool:
    try:
        pc.match_substring_regex(pa.array([""], type=pa.string()), pattern=pattern)
        return True
    except pa.ArrowInvalid:
        return False


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(st.sampled_from(TOKENS), min_size=1, max_size=7))
def test_binding_and_arrow_take_the_same_patterns(parts):
    """Random patterns of regex tokens (groups, classes, repeats, escapes, lookarounds and
    backreferences RE2 refuses): the binding compiles exactly those Arrow compiles, and
    re2_check refuses the others."""
    pattern = "".join(parts)
    takes = _arrow_takes(pattern)
    assert _binding_takes(pattern) == takes
    if takes:
        re2_check(pattern)
    else:
        with pytest.raises(RegexError):
            re2_check(pattern)
