"""Text fields are stripped of surrounding spaces, and an all-space cell is blank, exactly as
Arrow's ``utf8_trim_whitespace`` would do it, while the strings' bytes are shared."""

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_rules.values import SPACES, strip_blank

CODE_POINTS = [c for c in range(0x110000) if not 0xD800 <= c < 0xE000]


def test_the_spaces_are_arrows_and_pythons():
    """The characters the fast path looks for at the ends of a cell (``utf8_is_space``) are
    exactly those Arrow strips, and Python's ``str.isspace``: a ledger cell padded with an ideographic space or a
    no-break space is read like the bare text."""
    padded = pa.array([chr(c) + "a" + chr(c) for c in CODE_POINTS])
    stripped = {chr(c) for c, text in zip(CODE_POINTS, pc.utf8_trim_whitespace(padded).to_pylist()) if text == "a"}
    found = {chr(c) for c, space in zip(CODE_POINTS, pc.utf8_is_space(pa.array(map(chr, CODE_POINTS))).to_pylist())
             if space}
    assert stripped == found == set(SPACES) == {chr(c) for c in CODE_POINTS if chr(c).isspace()}


ALPHABET = st.sampled_from(list(SPACES) + list("ab1 中文《》【】“”—é·\u200b\ufeff") + ["\U0001F600", "\u3001"])
CELLS = st.lists(st.one_of(st.none(), st.text(ALPHABET, max_size=6)), max_size=40)


@settings(max_examples=100, deadline=None)
@given(cells=CELLS, more=CELLS, large=st.booleans(), cut=st.integers(0, 5))
def test_strip_blank_is_trim_then_empty_is_null(cells, more, large, cut):
    """On any cells (nulls, spaces of every kind at either end or inside, CJK, emoji), in
    sliced and chunked Arrow arrays of either string width, the result equals trimming every
    string and then reading "" as blank."""
    kind = pa.large_string() if large else pa.string()
    first = pa.array(cells, type=kind)
    first = first.slice(min(cut, len(first)))
    text = pa.chunked_array([first, pa.array(more, type=kind)], type=kind)
    expected = pc.utf8_trim_whitespace(text)
    expected = pc.if_else(pc.equal(expected, ""), pa.scalar(None, kind), expected)
    got = strip_blank(text)
    assert got.type == kind
    assert got.to_pylist() == expected.to_pylist()
    got.validate(full=True)


@settings(max_examples=200, deadline=None)
@given(cells=CELLS, more=CELLS, large=st.booleans(), cut=st.integers(0, 5))
def test_spaced_ends_are_arrows(cells, more, large, cut):
    """Which strings begin or end with a space is what Arrow's kernels say of every string,
    though only the strings whose end bytes could be a space's are given to them."""
    from disclosure_rules.values import _spaced_ends

    kind = pa.large_string() if large else pa.string()
    first = pa.array(cells, type=kind)
    first = first.slice(min(cut, len(first)))
    text = pa.chunked_array([first, pa.array(more, type=kind)], type=kind)
    expected = pc.fill_null(pc.or_(pc.utf8_is_space(pc.utf8_slice_codeunits(text, 0, 1)),
                                   pc.utf8_is_space(pc.utf8_slice_codeunits(text, -1))), False)
    assert _spaced_ends(text).to_pylist() == expected.to_pylist()
