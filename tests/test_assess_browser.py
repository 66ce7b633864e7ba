"""The assessment's index.html in a real headless Chromium (the check of tests/test_report_browser.py)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from disclosure_rules.assessment import assess
from test_report_browser import CHROMIUM, browser  # noqa: F401 - the shared headless-Chromium fixture

from assess_units import AS_OF, BOOK, expected_ranking, write_units

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                                reason="headless Chromium not installed (apt-get install chromium; .ci/run does it)")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_index_in_chromium(tmp_path, browser, lang):
    """No console error and no request but the page; the ranking rows are the units in rank
    order, each links to a report that exists; the grid is units x rules; it prints to PDF."""
    assessment = assess(BOOK, write_units(tmp_path / "units"), as_of=AS_OF)
    paths = assessment.write(tmp_path / "out", lang=lang)
    url = paths["index"].resolve().as_uri()
    with browser.visit(url):
        assert browser.console_errors() == []
        assert [u for u in browser.requests() if u != url] == []
        units = browser.js("[...document.querySelectorAll('tr.unit-row')].map(r => r.dataset.unit)")
        assert units == expected_ranking()
        links = browser.js("[...document.querySelectorAll('a.report-link')].map(a => a.href)")
        assert len(links) == len(units)
        for link in links:
            assert Path(unquote(urlparse(link).path)).is_file(), link
        cells = browser.js("document.querySelectorAll('[data-testid=unit-grid] tbody td').length")
        assert cells == len(units) * len(BOOK.rules)
        text = browser.js("document.body.innerText")
        assert all(u.name in text for u in assessment.units)
        assert browser.print_a4().startswith(b"%PDF")
        assert browser.console_errors() == []


def test_compare_page_in_chromium(tmp_path, browser):
    """The comparison page opens with no console error and no request, and lists the one rule
    the twins differ in."""
    from disclosure_rules import audit, compare

    from assess_units import unit_frames

    frames = unit_frames()
    old, new = (audit(BOOK, frames[u], as_of=AS_OF) for u in ("丁局", "戊局"))
    page = tmp_path / "compare.html"
    compare(old, new).write_html(page)
    url = page.resolve().as_uri()
    with browser.visit(url):
        assert browser.console_errors() == []
        assert [u for u in browser.requests() if u != url] == []
        rules = browser.js("[...document.querySelectorAll('[data-testid=compare-rules] tr.cmp-row .rid')]"
                           ".map(e => e.textContent)")
        assert rules == ["REQ-WRITING"]
