"""Open pages in the system's headless Chromium through Playwright, and report what they did.

Playwright drives Debian's `chromium` (found on PATH, or $FOCUSSHIFT_CHROMIUM) given as
executable_path: Playwright's own browser download is never needed.

    with Chromium() as browser:
        page = browser.open("file:///tmp/report.html", expression="document.title", screenshot="shot.png")
        page.value          # the result of `expression`, by value
        page.errors         # console errors and warnings (CSP violations among them), uncaught
                            # exceptions, failed requests, dialogs (alert ...)
        page.requests       # every URL the page asked for
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")

ARGS = (
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
)


def find_chromium() -> str | None:
    """The Chromium binary: $FOCUSSHIFT_CHROMIUM, else the first of CANDIDATES on PATH."""
    env = os.environ.get("FOCUSSHIFT_CHROMIUM")
    if env:
        return env if Path(env).exists() else shutil.which(env)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(RuntimeError):
    pass


@dataclass
class PageResult:
    url: str
    value: Any = None
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    screenshot: Path | None = None


class Chromium:
    """One headless Chromium process for many pages, each opened in a fresh browser context."""

    def __init__(self, binary: str | None = None, *, timeout: float = 20.0) -> None:
        self.binary = binary or find_chromium()
        if not self.binary:
            raise BrowserError("Chromium not found (install the Debian package 'chromium')")
        self.timeout = timeout

    def __enter__(self) -> Chromium:
        try:
            from playwright.sync_api import Error, sync_playwright
        except ImportError as exc:
            raise BrowserError(f"Playwright is not installed (pip install -e '.[test]'): {exc}") from None
        self._playwright = sync_playwright().start()
        try:
            # chromium_sandbox defaults to False: Playwright passes --no-sandbox (root in a container has none)
            self._browser = self._playwright.chromium.launch(
                executable_path=self.binary, headless=True, args=list(ARGS), timeout=self.timeout * 1000)
        except Error as exc:
            self._playwright.stop()
            raise BrowserError(str(exc)) from None
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._browser.close()
        finally:
            self._playwright.stop()

    def open(self, url: str, *, expression: str | None = None, screenshot: str | Path | None = None,
             width: int = 1280, height: int = 900, full_page: bool = True, top: int = 0,
             max_height: int | None = None, settle: float = 0.2) -> PageResult:
        """Load URL, evaluate `expression`, optionally save a PNG; report what the page did."""
        from playwright.sync_api import Error

        result = PageResult(url=url)
        context = self._browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
        context.set_default_timeout(self.timeout * 1000)
        try:
            page = context.new_page()

            def on_console(msg: Any) -> None:
                result.console.append(f"{msg.type}: {msg.text}")
                if msg.type in ("error", "assert", "warning"):
                    result.errors.append(f"console.{msg.type}: {msg.text}")

            def on_dialog(dialog: Any) -> None:  # never let alert() block the page
                result.dialogs.append(f"{dialog.type}: {dialog.message}")
                result.errors.append(f"dialog {dialog.type}: {dialog.message}")
                dialog.accept()

            page.on("console", on_console)
            page.on("pageerror", lambda exc: result.errors.append(f"Uncaught {exc}"))
            page.on("dialog", on_dialog)
            page.on("request", lambda request: result.requests.append(request.url))
            page.on("requestfailed",
                    lambda request: result.errors.append(f"network: {request.failure} ({request.resource_type})"))
            try:
                page.goto(url, wait_until="load")
                page.wait_for_timeout(settle * 1000)  # let late console messages arrive
                if expression:
                    result.value = page.evaluate(expression)
                if screenshot is not None:
                    clip = None
                    if full_page:
                        full = page.evaluate("document.documentElement.scrollHeight") - top
                        h = full if max_height is None else min(full, max_height)
                        clip = {"x": 0, "y": top, "width": width, "height": h}
                    page.screenshot(path=str(screenshot), full_page=full_page, clip=clip, type="png")
                    result.screenshot = Path(screenshot)
            except Error as exc:
                raise BrowserError(f"{url}: {exc}") from None
        finally:
            context.close()
        return result
