"""The report opened in a real headless Chromium (DESIGN §12).

Chromium is driven over the Chrome DevTools Protocol on a pipe
(``--remote-debugging-pipe``: JSON messages ending in NUL on fds 3 and 4), so the
test needs no Python package beyond the standard library and no network port.
It skips, with the reason, when Debian's ``chromium`` is not installed.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from disclosure_rules.report import write_html
from ledgers import HOSTILE, audited, example_audit

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(),
    reason="headless Chromium not installed (apt-get install chromium; .ci/run does it)",
)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio", "--remote-debugging-pipe"]
TIMEOUT = 60


class Browser:
    """A minimal CDP client over Chromium's debugging pipe, attached to one page."""

    def __init__(self, user_data_dir: Path):
        cmd_read, self._cmd_write = os.pipe()
        self._out_read, out_write = os.pipe()
        # move Chromium's ends above 9 so that they cannot collide with fds 3 and 4
        for low in (cmd_read, out_write):
            high = fcntl.fcntl(low, fcntl.F_DUPFD_CLOEXEC, 10)
            os.close(low)
            if low == cmd_read:
                cmd_read = high
            else:
                out_write = high
        def onto_3_and_4():  # in the child, before exec: Chromium reads fd 3 and writes fd 4
            os.dup2(cmd_read, 3)
            os.dup2(out_write, 4)

        # close_fds=False keeps 3 and 4; Python's own descriptors are not inheritable (PEP 446)
        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={user_data_dir}", "about:blank"],
            preexec_fn=onto_3_and_4, close_fds=False, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(cmd_read)
        os.close(out_write)
        self._next_id = 0
        self._replies: dict[int, queue.Queue] = {}
        self._lock = threading.Lock()
        self.events: list[dict] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    def _read(self) -> None:
        buffer = b""
        with os.fdopen(self._out_read, "rb", buffering=0) as pipe:
            while chunk := pipe.read(1 << 16):
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                for raw in messages:
                    message = json.loads(raw)
                    if "id" in message:
                        with self._lock:
                            waiter = self._replies.pop(message["id"], None)
                        if waiter is not None:
                            waiter.put(message)
                    else:
                        self.events.append(message)

    def call(self, method: str, session: bool = False, **params):
        with self._lock:
            self._next_id += 1
            call_id = self._next_id
            waiter = self._replies[call_id] = queue.Queue()
        message = {"id": call_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._cmd_write, json.dumps(message).encode() + b"\0")
        reply = waiter.get(timeout=TIMEOUT)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_for(self, method: str, since: int = 0) -> dict:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for event in self.events[since:]:
                if event.get("method") == method:
                    return event
            time.sleep(0.05)
        raise TimeoutError(method)

    def open(self, url: str, scripts: bool = True) -> None:
        self.call("Emulation.setScriptExecutionDisabled", session=True, value=not scripts)
        since = len(self.events)
        self.call("Page.navigate", session=True, url=url)
        self.wait_for("Page.loadEventFired", since)

    @contextlib.contextmanager
    def visit(self, url: str):
        """Open ``url``; within the block ``events`` (console errors, requests) are this page's
        only, and afterwards the whole log again."""
        since = len(self.events)
        self.open(url)
        events = self.events
        self.events = events[since:]
        try:
            yield
        finally:
            self.events = events

    def print_a4(self) -> bytes:
        """The open page printed to an A4 PDF, as the browser's print dialog would."""
        pdf = self.call("Page.printToPDF", session=True, paperWidth=8.27, paperHeight=11.69,
                        printBackground=True, preferCSSPageSize=True)
        return base64.b64decode(pdf["data"])

    def js(self, expression: str):
        reply = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(reply["exceptionDetails"])
        return reply["result"].get("value")

    def console_errors(self) -> list:
        errors = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                errors.append(params["exceptionDetails"])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append(params.get("args"))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                errors.append(params["entry"])
        return errors

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events
                if e.get("method") == "Network.requestWillBeSent"]

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, queue.Empty, OSError):
            pass
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()  # our own child, by its handle
            self.process.wait()
        os.close(self._cmd_write)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield b
    b.close()


@pytest.fixture(scope="module")
def result():
    return example_audit()


VISIBLE_ROWS = "Array.from(document.querySelectorAll('tr.finding')).filter(r => r.offsetParent !== null).length"
VISIBLE_CARDS = "Array.from(document.querySelectorAll('article.rule')).filter(r => r.offsetParent !== null).length"


def _set_filter(browser: Browser, name: str, value: str) -> None:
    browser.js(f"""(() => {{ const el = document.querySelector('#filters [name="{name}"]');
        el.value = {json.dumps(value)}; el.dispatchEvent(new Event('{'input' if name == 'q' else 'change'}', {{bubbles: true}})); }})()""")


def _reset(browser: Browser) -> None:
    browser.js("document.getElementById('filters').reset()")
    time.sleep(0.1)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_in_chromium(tmp_path, browser, result, lang):
    """No console error, no request but the file, score and rule ids visible, filters work, prints to PDF."""
    page = tmp_path / f"report-{lang}.html"
    write_html(result, page, lang=lang)
    url = page.resolve().as_uri()
    with browser.visit(url):
        assert browser.console_errors() == []
        assert [u for u in browser.requests() if u != url] == []

        text = browser.js("document.body.innerText")
        assert f"{result.percent:.1f}" in text
        for rule in result.rules:
            assert rule.id in text, rule.id
        assert browser.js("document.getElementById('filters').hidden") is False

        total = browser.js(VISIBLE_ROWS)
        assert total > 0
        cards = browser.js(VISIBLE_CARDS)
        assert cards == len(result.rules)

        failing = [r for r in result.rules if r.violations]
        rule_id = failing[0].id
        _set_filter(browser, "rule", rule_id)
        by_rule = browser.js(VISIBLE_ROWS)
        assert 0 < by_rule < total
        assert browser.js(VISIBLE_CARDS) == 1
        assert browser.js("[...document.querySelectorAll('tr.finding')].filter(r => r.offsetParent)"
                          ".every(r => r.dataset.rule === " + json.dumps(rule_id) + ")")
        _reset(browser)
        assert browser.js(VISIBLE_ROWS) == total

        division = browser.js("document.querySelector('#filters [name=division] option:nth-child(2)').value")
        _set_filter(browser, "division", division)
        by_division = browser.js(VISIBLE_ROWS)
        assert 0 < by_division < total
        _set_filter(browser, "severity", "minor")
        assert browser.js(VISIBLE_ROWS) <= by_division
        _reset(browser)

        _set_filter(browser, "status", "waived")
        waived = browser.js(VISIBLE_ROWS)
        assert waived < total
        _reset(browser)

        key = browser.js("document.querySelector('tr.finding td:nth-child(2)').textContent")
        _set_filter(browser, "q", key)
        assert 1 <= browser.js(VISIBLE_ROWS) < total
        _set_filter(browser, "q", "no-such-text-anywhere")
        assert browser.js(VISIBLE_ROWS) == 0
        shown = browser.js("document.getElementById('filter-count').textContent")
        assert "0" in shown
        _reset(browser)

        data = browser.print_a4()
        assert data.startswith(b"%PDF") and len(data) > 10_000
        assert browser.console_errors() == []
        assert [u for u in browser.requests() if u != url] == []


def test_report_without_javascript(tmp_path, browser, result):
    """With scripts off every violating row shows and the (useless) filter bar stays hidden."""
    page = tmp_path / "report.html"
    write_html(result, page)
    browser.open(page.resolve().as_uri(), scripts=False)
    try:
        assert browser.call("Runtime.evaluate", session=True, expression="1")  # evaluation still works
        rows = browser.js(VISIBLE_ROWS)
        assert rows == browser.js("document.querySelectorAll('tr.finding').length") > 0
        assert browser.js("document.getElementById('filters').offsetParent === null") is True
    finally:
        browser.call("Emulation.setScriptExecutionDisabled", session=True, value=False)


def test_hostile_report_runs_no_injected_script(tmp_path, browser):
    """Hostile cell values render as text: no alert dialog, no extra element, no error."""
    page = tmp_path / "hostile.html"
    write_html(audited(tmp_path / "ledgers", hostile=True), page)
    since = len(browser.events)
    browser.open(page.resolve().as_uri())
    new = browser.events[since:]
    assert not [e for e in new if e.get("method") == "Page.javascriptDialogOpening"]
    assert browser.js("document.querySelectorAll('img').length") == 0
    assert browser.js("document.scripts.length") == 1
    text = browser.js("document.body.innerText")
    assert HOSTILE["script"] in text and HOSTILE["onerror"] in text and HOSTILE["division"] in text
