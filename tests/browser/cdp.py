"""Drive headless Chromium over the DevTools protocol with the standard library only.

Chromium is started with --remote-debugging-pipe: it reads JSON commands from
file descriptor 3 and writes replies and events to descriptor 4, each message
ending with a NUL byte. No selenium, no playwright, no websocket library.

    with Chromium() as browser:
        page = browser.open("file:///tmp/report.html", screenshot="shot.png")
        page.value          # the result of `expression`, by value
        page.errors         # console errors, uncaught exceptions, dialogs (alert ...)
        page.requests       # every URL the page asked for
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")

FLAGS = (
    "--headless=new",
    "--no-sandbox",  # root in a container has no user namespace sandbox
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
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
    """One headless Chromium process, talked to over the DevTools pipe."""

    def __init__(self, binary: str | None = None, *, timeout: float = 20.0) -> None:
        self.binary = binary or find_chromium()
        if not self.binary:
            raise BrowserError("Chromium not found (install the Debian package 'chromium')")
        self.timeout = timeout
        self._next = 0
        self._inbox: queue.Queue[dict | None] = queue.Queue()
        self._events: list[dict] = []
        self._proc: subprocess.Popen | None = None

    # -- process -------------------------------------------------------------
    def __enter__(self) -> Chromium:
        self._profile = tempfile.mkdtemp(prefix="focusshift-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire_fds() -> None:  # runs in the child: put the pipe ends on 3 and 4
            a = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self._proc = subprocess.Popen(
            [self.binary, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=(3, 4),  # kept open in the child; wire_fds puts the pipe ends there
            preexec_fn=wire_fds,
            close_fds=True,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._stderr: list[bytes] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.call("Browser.getVersion")
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._proc and self._proc.poll() is None:
                try:
                    self._send("Browser.close")
                except OSError:
                    pass
                try:
                    self._proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait(timeout=5)
        finally:
            for fd in (self._to_child, self._from_child):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self._profile, ignore_errors=True)

    @property
    def stderr(self) -> str:
        return b"".join(self._stderr).decode("utf-8", "replace")

    def _drain_stderr(self) -> None:
        assert self._proc and self._proc.stderr
        for chunk in iter(lambda: self._proc.stderr.read(4096), b""):
            self._stderr.append(chunk)

    def _read(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_child, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                self._inbox.put(None)
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                self._inbox.put(json.loads(raw))

    # -- protocol ------------------------------------------------------------
    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            data = data[os.write(self._to_child, data):]
        return self._next

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send a command and wait for its reply; events that arrive meanwhile are kept."""
        mid = self._send(method, params, session)
        deadline = time.monotonic() + self.timeout
        while True:
            msg = self._get(deadline, method)
            if msg.get("id") == mid:
                if "error" in msg:
                    raise BrowserError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._on_event(msg)

    def wait_for(self, event: str, session: str, timeout: float | None = None) -> dict:
        for i, msg in enumerate(self._events):
            if msg.get("method") == event and msg.get("sessionId") == session:
                return self._events.pop(i)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            msg = self._get(deadline, event)
            if msg.get("method") == event and msg.get("sessionId") == session:
                return msg
            self._on_event(msg)

    def _get(self, deadline: float, what: str) -> dict:
        left = deadline - time.monotonic()
        if left <= 0:
            raise BrowserError(f"timed out waiting for {what}; chromium said:\n{self.stderr[-2000:]}")
        try:
            msg = self._inbox.get(timeout=left)
        except queue.Empty:
            raise BrowserError(f"timed out waiting for {what}; chromium said:\n{self.stderr[-2000:]}") from None
        if msg is None:
            raise BrowserError(f"chromium closed the pipe while waiting for {what}:\n{self.stderr[-2000:]}")
        return msg

    def _on_event(self, msg: dict) -> None:
        if msg.get("method") == "Page.javascriptDialogOpening":  # never let alert() block the page
            self._send("Page.handleJavaScriptDialog", {"accept": True}, msg.get("sessionId"))
        self._events.append(msg)

    # -- pages ---------------------------------------------------------------
    def open(self, url: str, *, expression: str | None = None, screenshot: str | Path | None = None,
             width: int = 1280, height: int = 900, full_page: bool = True, top: int = 0, max_height: int | None = None,
             settle: float = 0.2) -> PageResult:
        """Load URL, evaluate `expression`, optionally save a PNG; report what the page did."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", {}, session)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session)
        self._events = [m for m in self._events if m.get("sessionId") != session]
        self.call("Page.navigate", {"url": url}, session)
        self.wait_for("Page.loadEventFired", session)
        time.sleep(settle)  # let late console messages arrive
        result = PageResult(url=url)
        if expression:
            reply = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                   "awaitPromise": True}, session)
            if "exceptionDetails" in reply:
                raise BrowserError(f"evaluating the test expression failed: {reply['exceptionDetails']}")
            result.value = reply.get("result", {}).get("value")
        if screenshot is not None:
            params: dict[str, Any] = {"format": "png"}
            if full_page:
                metrics = self.call("Page.getLayoutMetrics", {}, session)
                size = metrics.get("cssContentSize") or metrics["contentSize"]
                h = size["height"] - top if max_height is None else min(size["height"] - top, max_height)
                params.update(captureBeyondViewport=True,
                              clip={"x": 0, "y": top, "width": width, "height": h, "scale": 1})
            shot = self.call("Page.captureScreenshot", params, session)
            Path(screenshot).write_bytes(base64.b64decode(shot["data"]))
            result.screenshot = Path(screenshot)
        # drain what is left for this page
        while True:
            try:
                msg = self._inbox.get_nowait()
            except queue.Empty:
                break
            if msg is not None:
                self._on_event(msg)
        for msg in [m for m in self._events if m.get("sessionId") == session]:
            _collect(msg, result)
        self._events = [m for m in self._events if m.get("sessionId") != session]
        self.call("Target.closeTarget", {"targetId": target})
        return result


def _collect(msg: dict, result: PageResult) -> None:
    method, p = msg.get("method"), msg.get("params", {})
    if method == "Runtime.consoleAPICalled":
        text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
        result.console.append(f"{p.get('type')}: {text}")
        if p.get("type") in ("error", "assert", "warning"):
            result.errors.append(f"console.{p.get('type')}: {text}")
    elif method == "Runtime.exceptionThrown":
        d = p.get("exceptionDetails", {})
        result.errors.append("Uncaught " + str(d.get("exception", {}).get("description") or d.get("text")))
    elif method == "Log.entryAdded":
        e = p.get("entry", {})
        result.console.append(f"{e.get('level')}: {e.get('text')}")
        if e.get("level") in ("error", "warning"):
            result.errors.append(f"log.{e.get('level')} ({e.get('source')}): {e.get('text')} {e.get('url', '')}")
    elif method == "Page.javascriptDialogOpening":
        result.dialogs.append(f"{p.get('type')}: {p.get('message')}")
        result.errors.append(f"dialog {p.get('type')}: {p.get('message')}")
    elif method == "Network.requestWillBeSent":
        result.requests.append(p.get("request", {}).get("url", ""))
    elif method == "Network.loadingFailed":
        result.errors.append(f"network: {p.get('errorText')} ({p.get('type')})")

