"""The one vocabulary (words.py) and the FieldSpec questions answered once (models.py)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from disclosure_rules import words
from disclosure_rules.models import FieldSpec
from disclosure_rules.words import (LANGS, WORDS, Severity, Status, date_text, number_text, percent_text,
                                    points_text, severity_word, status_word, word)


def test_both_languages_have_every_word():
    """Chinese and English define exactly the same words, none empty."""
    assert set(WORDS) == set(LANGS)
    assert set(WORDS["zh"]) == set(WORDS["en"])
    assert all(text for lang in LANGS for text in WORDS[lang].values())


@pytest.mark.parametrize("lang", LANGS)
def test_one_word_per_status_and_severity(lang):
    """Each status and severity has one word per language, and no two share one."""
    statuses = [status_word(s, lang) for s in Status]
    severities = [severity_word(s, lang) for s in Severity]
    assert len(set(statuses)) == len(Status) and len(set(severities)) == len(Severity)


def test_major_is_one_word():
    """Severity major reads 较重 in Chinese everywhere (it once read 重要 in explain)."""
    assert severity_word("major", "zh") == "较重"
    assert severity_word(Severity.MAJOR, "en") == "major"


def test_unknown_language_is_a_clear_error():
    """Asking for a language there is no vocabulary for names the languages there are."""
    with pytest.raises(ValueError, match="unknown language 'fr'; use one of: zh, en"):
        word("score", "fr")
    with pytest.raises(ValueError, match="unknown language"):
        status_word("pass", "de")


def test_unknown_status_is_an_error():
    """A status code that is not in DESIGN §8 has no word (it is a bug, not a blank)."""
    with pytest.raises(ValueError):
        status_word("passed", "zh")


def test_words_fill_their_placeholders():
    """A sentence with placeholders is filled from keyword values."""
    assert word("n_rows", "en", n=3) == "3 rows"
    assert word("n_rows", "zh", n=3) == "3 条记录"


def test_division_names():
    """The blank division has one name per language; a group finding belongs to the whole unit."""
    assert words.division_name(None, "zh") == "(未填写)" == words.BLANK_DIVISION
    assert words.division_name(words.BLANK_DIVISION, "en") == "(blank division)"
    assert words.division_name(None, "en", has_row=False) == "(whole unit)"
    assert words.division_name("外贸处", "en") == "外贸处"


@pytest.mark.parametrize("value, text", [(3, "3"), (3.0, "3"), (2.5, "2.5"), (1 / 3, "0.33"), (None, ""),
                                         (float("nan"), ""), (pd.NA, ""), (np.int64(7), "7"), (1e15, "1000000000000000")])
def test_number_text(value, text):
    """Counts read without .0, other figures with at most two decimals; blanks are empty."""
    assert number_text(value) == text


@pytest.mark.parametrize("rate, text", [(0.9, "90%"), (0.905, "90.5%"), (1, "100%"), (0, "0%"), (0.81818, "81.8%"),
                                        (None, "—"), (float("nan"), "—")])
def test_percent_text(rate, text):
    """A rate reads as a percent with at most one decimal, no trailing .0; a blank is a dash."""
    assert percent_text(rate) == text


def test_points_text():
    """Points read like numbers; no points is a dash."""
    assert points_text(7.5) == "7.5" and points_text(10.0) == "10" and points_text(None) == "—"


@pytest.mark.parametrize("value", [dt.date(2021, 7, 28), dt.datetime(2021, 7, 28, 15, 30), pd.Timestamp("2021-07-28"),
                                   np.datetime64("2021-07-28", "s"), "2021-07-28"])
def test_date_text(value):
    """Every kind of date reads as ISO YYYY-MM-DD."""
    assert date_text(value) == "2021-07-28"


def test_date_text_blank():
    """A blank date is empty text."""
    assert date_text(None) == date_text(pd.NaT) == date_text(np.datetime64("NaT", "s")) == ""


def test_field_header_label_code():
    """A field's header is its first alias (else its name); a code reads as its first label; a label maps back."""
    spec = FieldSpec(type="category", aliases=["公开属性", "属性"],
                     values={"active": ["主动公开", "公开"], "not_public": ["不予公开"], "bare": []})
    assert spec.header_of("disclosure") == "公开属性"
    assert FieldSpec(type="string").header_of("doc_id") == "doc_id"
    assert spec.label_of("active") == "主动公开"
    assert spec.label_of("bare") == "bare" and spec.label_of("已撤回") == "已撤回"
    assert spec.code_of("主动公开") == "active" and spec.code_of(" ＡＣＴＩＶＥ ") == "active"
    assert spec.code_of("公开") == "active" and spec.code_of("未知") is None


def test_percent_text_fixed_keeps_the_decimals():
    """In a table column a percent keeps its decimal so that the column lines up."""
    assert percent_text(0.97, fixed=True) == "97.0%" and percent_text(0.962, fixed=True) == "96.2%"
