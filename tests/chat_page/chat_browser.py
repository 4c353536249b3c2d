"""Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``).

The protocol travels as NUL-separated JSON on the browser's file descriptors 3 (commands in) and 4 (replies and
events out), so the tests need neither a browser download nor a websocket client.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--remote-debugging-pipe",
)


def chromium() -> str | None:
    """Debian's chromium, if installed."""
    return shutil.which("chromium")


class BrowserError(RuntimeError):
    """The browser refused a command, or did not do what was waited for in time."""


class Browser:
    """One Chromium process; `open` gives a tab to drive."""

    def __init__(self, executable: str, profile: Path, log: Path, timeout: float = 20.0) -> None:
        self.timeout = timeout
        self._next_id = 0
        self._replies: dict[int, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        commands_in, self._commands = os.pipe()
        self._output, output_out = os.pipe()

        def as_fds_3_and_4() -> None:  # runs in the child, before exec
            read, write = os.dup(commands_in), os.dup(output_out)
            os.dup2(read, 3)
            os.dup2(write, 4)

        with log.open("ab") as sink:
            self.process = subprocess.Popen(
                [executable, *FLAGS, f"--user-data-dir={profile}", "--window-size=1000,900", "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=sink,
                close_fds=False,
                preexec_fn=as_fds_3_and_4,
            )
        os.close(commands_in)
        os.close(output_out)
        self._reader = threading.Thread(target=self._read, name="cdp-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        while chunk := os.read(self._output, 65536):
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            with self._changed:
                for raw in messages:
                    message = json.loads(raw)
                    if "id" in message:
                        self._replies[message["id"]] = message
                    else:
                        self.events.append(message)
                self._changed.notify_all()

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its result."""
        self._next_id += 1
        number = self._next_id
        message: dict[str, Any] = {"id": number, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        with self._changed:
            if not self._changed.wait_for(lambda: number in self._replies, self.timeout):
                raise BrowserError(f"{method}: no reply within {self.timeout}s")
            reply = self._replies.pop(number)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def wait_event(self, method: str, session: str, since: int = 0, timeout: float | None = None) -> dict[str, Any]:
        """The first event `method` of the session from `events[since]` on (waiting for it if it has not come yet)."""

        def found() -> dict[str, Any] | None:
            events = self.events[since:]
            return next((e for e in events if e["method"] == method and e.get("sessionId") == session), None)

        with self._changed:
            if not self._changed.wait_for(found, timeout or self.timeout):
                raise BrowserError(f"no {method} within {timeout or self.timeout}s")
            return found() or {}

    def open(self, url: str) -> Tab:
        """A new tab with `url` loaded."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable", session)
        tab = Tab(self, session)
        tab.go(url)
        return tab

    def close(self) -> None:
        try:
            self.call("Browser.close")
            self.process.wait(10)
        except (BrowserError, OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(10)
        os.close(self._commands)
        self._reader.join(5)
        os.close(self._output)


class Tab:
    """A page in the browser, driven as a person would: typing, clicking, reading what is shown."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        return self.browser.call(method, self.session, **params)

    def go(self, url: str) -> None:
        """Load `url` and wait for its load event."""
        since = len(self.browser.events)
        self.call("Page.navigate", url=url)
        self.browser.wait_event("Page.loadEventFired", self.session, since)

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression in the page (promises awaited)."""
        reply = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression}: {reply['exceptionDetails'].get('text')}")
        return reply["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30.0) -> Any:
        """The value of `expression` once it is truthy."""
        deadline = time.monotonic() + timeout
        while not (value := self.evaluate(expression)):
            if time.monotonic() > deadline:
                raise BrowserError(f"still false after {timeout}s: {expression}")
            time.sleep(0.1)
        return value

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element."""
        box = self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect();"
            " return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"], button="left", clickCount=1)

    def type(self, selector: str, text: str) -> None:
        """Click into the field and type `text` as keyboard input."""
        self.click(selector)
        self.call("Input.insertText", text=text)

    def resize(self, width: int, height: int) -> None:
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))
        return path

    def problems(self) -> list[str]:
        """Uncaught exceptions and error messages of the page so far (CSP violations included)."""
        found = []
        for event in self.browser.events:
            if event.get("sessionId") != self.session:
                continue
            params = event.get("params", {})
            if event["method"] == "Runtime.exceptionThrown":
                found.append(params["exceptionDetails"].get("text", "exception"))
            elif event["method"] == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(f"{params['entry']['source']}: {params['entry']['text']}")
            elif event["method"] == "Runtime.consoleAPICalled" and params["type"] == "error":
                found.append(" ".join(str(arg.get("value", arg.get("description"))) for arg in params["args"]))
        return found
