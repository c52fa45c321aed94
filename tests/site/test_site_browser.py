"""The site in a real browser: Debian's Chromium, headless, driven over --remote-debugging-pipe
(the DevTools protocol as NUL-separated JSON on file descriptors 3 and 4, no network port and no
browser download). It opens the index and Tongzhou's page from file://, fails on any console
error, uncaught exception or resource that did not load, checks that the tables sort and filter,
and saves a screenshot of each page in the test's tmp folder (an artifact, not committed)."""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from conftest import build_bundled

TONGZHOU = "b4ae53746221"
CHROMIUM = next(
    (p for p in (shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser")) if p and os.path.exists(p)), None
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium; .ci/run installs it)")


class Browser:
    """A headless Chromium and one page, spoken to over the DevTools pipe."""

    def __init__(self, profile: Path):
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def onto_3_and_4() -> None:  # the pipe's ends where Chromium expects them
            a, b = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--remote-debugging-pipe",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-sync",
                "--mute-audio",
                f"--user-data-dir={profile}",
                "--window-size=1280,900",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Python opens its own files close-on-exec, so only the two ends dup2 made inheritable
            # reach Chromium; close_fds would close them (they are not the parent's fds 3 and 4).
            preexec_fn=onto_3_and_4,
            close_fds=False,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._id = 0
        self.events: list[dict] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    def _send(self, message: dict) -> None:
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")

    def _receive(self, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                return None
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: bool = False, timeout: float = 30, **params) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self._send(message)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = self._receive(deadline - time.monotonic())
            if reply is None:
                break
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)
        raise TimeoutError(f"{method}: no answer from Chromium in {timeout} s")

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        for i, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(i)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            event = self._receive(deadline - time.monotonic())
            if event is None:
                break
            if event.get("method") == method:
                return event
            self.events.append(event)
        raise TimeoutError(f"no {method} in {timeout} s")

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (event := self._receive(max(0.0, deadline - time.monotonic()))) is not None:
            self.events.append(event)

    def open(self, url: str) -> list[str]:
        """Load the page; the problems it had (console errors, exceptions, failed loads)."""
        self.events.clear()
        self.call("Page.navigate", session=True, url=url)
        self.wait_for("Page.loadEventFired")
        self.drain(0.5)
        return problems(self.events)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def screenshot(self, path: Path) -> None:
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=1280, height=1600, deviceScaleFactor=1, mobile=False)
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", session=True, format="png")["data"]))

    def close(self) -> None:
        try:
            self._send({"id": 0, "method": "Browser.close"})
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        finally:
            os.close(self._to_browser)
            os.close(self._from_browser)


def problems(events: list[dict]) -> list[str]:
    found = []
    for e in events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Runtime.exceptionThrown":
            found.append(f"exception: {p['exceptionDetails'].get('exception', {}).get('description') or p['exceptionDetails'].get('text')}")
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            found.append(f"console.{p['type']}: {[a.get('value', a.get('description')) for a in p.get('args', [])]}")
        elif method == "Log.entryAdded" and p["entry"].get("level") == "error":
            found.append(f"log: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        elif method == "Network.loadingFailed":
            found.append(f"failed to load: {p.get('errorText')} ({p.get('type')})")
        elif method == "Network.responseReceived" and p["response"].get("status", 200) >= 400:
            found.append(f"HTTP {p['response']['status']}: {p['response']['url']}")
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    _, target = build_bundled(tmp_path_factory.mktemp("browser"))
    return (target.parent / "site").resolve()


@pytest.fixture
def browser(tmp_path):
    b = Browser(tmp_path / "profile")
    yield b
    b.close()


def test_index_and_an_agency_page_open_offline_without_errors(site, browser, tmp_path):
    index = (site / "index.html").as_uri()
    assert browser.open(index) == []
    assert browser.evaluate("[document.styleSheets.length, document.querySelectorAll('#agency-table tbody tr').length]") == [1, 7]
    # the filter box hides the rows without its text; a header click sorts
    visible = browser.evaluate(
        "(() => { const f = document.querySelector('input.filter'); f.value = '通州'; f.dispatchEvent(new Event('input'));"
        " return [...document.querySelectorAll('#agency-table tbody tr')].filter(r => !r.hidden).map(r => r.cells[0].textContent); })()"
    )
    assert visible == ["北京市通州区"]
    order = browser.evaluate(
        "(() => { const th = document.querySelectorAll('#agency-table thead th')[6]; th.click(); th.click();"
        " return [...document.querySelectorAll('#agency-table tbody tr')].map(r => Number(r.cells[6].textContent)); })()"
    )
    assert order == sorted(order, reverse=True) and order[0] > order[-1]
    browser.screenshot(tmp_path / "index.png")

    assert browser.open((site / "agency" / f"{TONGZHOU}.html").as_uri()) == []
    assert browser.evaluate("document.querySelectorAll('svg rect').length") > 10
    text = browser.evaluate("document.body.innerText")
    assert "北京市通州区" in text and "line 11" in text and "line 92" in text
    browser.screenshot(tmp_path / "tongzhou.png")
    assert (tmp_path / "tongzhou.png").stat().st_size > 10_000


def test_a_missing_resource_is_caught(site, browser, tmp_path):
    """The browser test sees a resource that does not load (so a clean page means something)."""
    page = tmp_path / "broken.html"
    page.write_text((site / "index.html").read_text(encoding="utf-8").replace("static/site.js", "static/missing.js"), encoding="utf-8")
    shutil.copytree(site / "static", tmp_path / "static")
    assert any("failed to load" in p for p in browser.open(page.as_uri()))
