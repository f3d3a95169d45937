"""A minimal W3C WebDriver client (Python standard library only) for Debian's headless Chromium
through ChromeDriver, on loopback: enough to open a page, find and click elements, run a
script and take a screenshot. Used by report_browser_test.py and bench/report_load.py."""
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


class WebDriverError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One ChromeDriver process and one headless Chromium session; a context manager that
    ends both (the driver's whole process group) however the block ends."""

    def __init__(self, width: int = 1400, height: int = 1000, timeout_s: float = 60):
        for program in (CHROMIUM, CHROMEDRIVER):
            if not os.access(program, os.X_OK):
                raise WebDriverError(f"{program} is missing: install Debian's chromium and "
                                     "chromium-driver (ci/install-deps does)")
        self.timeout_s = timeout_s
        self.profile = tempfile.mkdtemp(prefix="tlsmatrix-chromium-")
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.driver = subprocess.Popen([CHROMEDRIVER, f"--port={port}"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=True)
        self.session = None
        deadline = time.monotonic() + 20
        while True:
            try:
                if self._call("GET", "/status")["value"].get("ready"):
                    break
            except (OSError, WebDriverError):
                pass
            if time.monotonic() > deadline or self.driver.poll() is not None:
                self.close()
                raise WebDriverError("chromedriver did not become ready within 20 s")
            time.sleep(0.1)
        args = ["--headless=new", "--disable-gpu", "--disable-dev-shm-usage",
                f"--user-data-dir={self.profile}", f"--window-size={width},{height}"]
        if os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args}}}}
        try:
            self.session = self._call("POST", "/session", caps)["value"]["sessionId"]
        except Exception:
            self.close()
            raise

    def _call(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as e:
            detail = e.read().decode(errors="replace")[:1000]
            raise WebDriverError(f"{method} {path}: HTTP {e.code}: {detail}") from None

    def _session(self, method: str, path: str, body=None):
        return self._call(method, f"/session/{self.session}{path}", body)["value"]

    def open(self, url: str) -> None:
        self._session("POST", "/url", {"url": url})

    def script(self, source: str, *args):
        """Runs `source` as a function body in the page; returns what it returns."""
        return self._session("POST", "/execute/sync", {"script": source, "args": list(args)})

    def find(self, css: str) -> str:
        value = self._session("POST", "/element", {"using": "css selector", "value": css})
        return next(iter(value.values()))

    def click(self, css: str) -> None:
        """A real click on the element (ChromeDriver scrolls it into view first)."""
        self._session("POST", f"/element/{self.find(css)}/click", {})

    def wait_for(self, source: str, what: str, timeout_s: float = 30):
        deadline = time.monotonic() + timeout_s
        while True:
            value = self.script(source)
            if value:
                return value
            if time.monotonic() > deadline:
                raise WebDriverError(f"timed out after {timeout_s} s waiting for {what}")
            time.sleep(0.05)

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self._session("GET", "/screenshot")))

    def close(self) -> None:
        if self.session:
            try:
                self._call("DELETE", f"/session/{self.session}")
            except Exception:
                pass
            self.session = None
        if self.driver.poll() is None:
            try:
                os.killpg(self.driver.pid, signal.SIGTERM)
                self.driver.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.driver.pid, signal.SIGKILL)
                self.driver.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
