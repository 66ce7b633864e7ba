"""The result JSON is written by orjson, as fast as a large audit needs, in the very text the
standard library writes (``json.dumps(..., ensure_ascii=False, indent=2)``)."""

from __future__ import annotations

import json

from hypothesis import given, settings, strategies as st

from disclosure_rules import audit, load_rulebook
from disclosure_rules.resources import examples_dir
from disclosure_rules.results import json_bytes

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x == 0 or abs(x) >= 1e-4),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_any_value_is_written_as_json_writes_it(value):
    """For any value a result can hold (integers beyond 64 bits too, which orjson refuses and
    json writes), the text is json's, Chinese unescaped, and reads back as the value."""
    assert json_bytes(value) == json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")
    assert json.loads(json_bytes(value)) == value


def test_the_demo_result_file_is_json_text(tmp_path):
    """The file ``--json`` writes for the demo ledgers is json's text of ``to_dict()``."""
    folder = examples_dir()
    result = audit(load_rulebook(), {"documents": folder / "documents.csv", "requests": folder / "requests.csv"},
                   as_of="2021-12-31")
    result.write_json(tmp_path / "result.json")
    written = (tmp_path / "result.json").read_bytes()
    assert written == json.dumps(result.to_dict(), ensure_ascii=False, indent=2).encode("utf-8")
    assert "公文" in written.decode("utf-8")
