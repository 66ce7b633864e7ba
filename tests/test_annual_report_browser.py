"""The annual report's HTML opened in a real headless Chromium: no console error, no request, A4 print.

Uses the DevTools-pipe client of ``test_report_browser`` (standard library only); skips with
the reason when Debian's ``chromium`` is not installed.
"""

from __future__ import annotations


import pytest

from disclosure_rules import annual_report, load_rulebook
from test_annual_report import D, ledger
from test_annual_report_outputs import sample_rows
from test_report_browser import browser  # noqa: F401 - the shared headless-Chromium fixture
from test_report_browser import pytestmark  # noqa: F401 - the same skip when Chromium is missing

BOOK = load_rulebook()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_annual_tables_in_chromium(tmp_path, browser, lang):
    """The page loads with no console error and requests nothing but itself; table 三 shows every
    figure with 法人或其他组织 spanning five columns; the failing identities and the requests to
    correct are listed; it prints to A4."""
    breach = (D(2021, 5, 6), D(2021, 5, 10), "自然人", None)  # closed with a blank outcome
    report = annual_report(BOOK, {"requests": ledger(sample_rows() + [breach])}, year=2021)
    assert len(report.problems) == 1
    page = tmp_path / f"annual-{lang}.html"
    report.write_html(page, lang=lang)
    url = page.resolve().as_uri()
    with browser.visit(url):
        assert browser.console_errors() == []
        assert [u for u in browser.requests() if u != url] == []
        assert browser.js("document.querySelector('table.t3 th[colspan=\"5\"]').textContent") == "法人或其他组织"
        total = browser.js("document.querySelector('table.t3 tr[data-row=\"一\"] td:last-child').textContent")
        assert total == str(int(report.table3.at["一", "总计"]))
        assert browser.js("document.querySelectorAll('table.t3 tbody tr').length") == len(report.table3)
        assert browser.js("document.querySelectorAll('table.problems tbody tr').length") == len(report.problems)
        assert browser.js("document.querySelectorAll('td.breach').length") > 0
        data = browser.print_a4()
        assert data.startswith(b"%PDF") and len(data) > 10_000
        assert browser.console_errors() == []
        assert [u for u in browser.requests() if u != url] == []
