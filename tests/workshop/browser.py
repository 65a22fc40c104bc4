"""A learner's first ten minutes, in a real browser: JupyterLab + Chromium driven by Playwright.

:func:`jupyterlab` starts JupyterLab on 127.0.0.1 (a free port, a random token, a folder of its
own); :func:`run_all_in_browser` opens a notebook there, clicks *Run → Run All Cells*, waits,
saves, takes a screenshot and reports the error outputs found in the saved notebook.

The browser is the system's Chromium (Debian: ``apt-get install chromium``), launched by the
``playwright`` Python package; Playwright's own browser download is never used.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from governance.health import free_port
from workshop.lab import lab_command, lab_environment, write_settings

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Beyond the learner's lab settings: every cell in the DOM, so prompts can be counted.
HEADLESS_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
_PROMPTS_JS = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
    .map(e => e.textContent.trim())"""


def chromium_path() -> str | None:
    """Return the system Chromium's path (``KIT_CHROMIUM`` first), or None when there is none."""
    for candidate in (os.environ.get("KIT_CHROMIUM", ""), *CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


@dataclass
class Lab:
    """A running JupyterLab: its base URL, token and root folder."""

    url: str
    token: str
    root_dir: Path
    log: Path


@contextmanager
def jupyterlab(root_dir: Path, work_dir: Path, timeout: float = 90.0) -> Iterator[Lab]:
    """Run JupyterLab serving ``root_dir`` on 127.0.0.1; stop it and its kernels on exit."""
    token = secrets.token_hex(16)
    port = free_port()
    settings_dir = write_settings(work_dir / "lab-settings", extra=HEADLESS_SETTINGS)
    env = lab_environment(settings_dir, work_dir / "lab-workspaces")
    command = lab_command(root_dir, port=port, token=token, open_browser=False, default_path="")
    log = work_dir / "jupyterlab.log"
    with log.open("w") as log_file:
        proc = subprocess.Popen(
            command,
            env=env,
            cwd=root_dir,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_lab(url, token, proc, timeout, log)
        yield Lab(url, token, root_dir, log)
    finally:
        _stop_group(proc)


def _wait_for_lab(url: str, token: str, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(
        f"{url}/api/status", headers={"Authorization": f"token {token}"}
    )
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited ({proc.returncode}); see {log}")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not answer within {timeout:.0f} s; see {log}")


def _stop_group(proc: subprocess.Popen) -> None:
    """Stop JupyterLab, then anything left in the process group it leads (its kernels)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@dataclass
class BrowserRun:
    """What a Run All in the browser produced."""

    notebook: Path
    seconds: float
    code_cells: int
    executed_cells: int
    errors: list[str] = field(default_factory=list)
    screenshot: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.executed_cells == self.code_cells


def run_all_in_browser(
    lab: Lab, notebook: str, screenshot: Path, timeout: float = 600.0
) -> BrowserRun:
    """Open ``notebook`` (relative to the lab's root) in Chromium, Run All, save, screenshot."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise FileNotFoundError("no Chromium found: apt-get install chromium (or set KIT_CHROMIUM)")
    path = lab.root_dir / notebook
    code_cells = sum(c["cell_type"] == "code" for c in json.loads(path.read_text())["cells"])
    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(f"{lab.url}/lab/tree/{notebook}?token={lab.token}")
            page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=120_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator", timeout=60_000)
            _wait_for_kernel(page, timeout=120)
            try:
                _run_all(page, code_cells, timeout)
            except TimeoutError:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot))
                raise
            before = path.stat().st_mtime_ns
            page.keyboard.press("Control+s")
            _wait_for_save(path, before, timeout=30)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot))
        finally:
            browser.close()
    saved = json.loads(path.read_text())
    executed = sum(
        1 for c in saved["cells"] if c["cell_type"] == "code" and c.get("execution_count")
    )
    errors = [
        f"cell {i}: {o.get('ename')}: {o.get('evalue')}"
        for i, c in enumerate(saved["cells"])
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    return BrowserRun(path, time.monotonic() - started, code_cells, executed, errors, screenshot)


def _accept_dialogs(page) -> None:
    """Accept any dialog JupyterLab raises (its "Select Kernel" defaults to the notebook's)."""
    button = page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept")
    if button.count():
        button.first.click()


def _wait_for_kernel(page, timeout: float, settle: float = 3.0) -> None:
    """Wait until the kernel is idle and no dialog has shown for ``settle`` seconds."""
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        _accept_dialogs(page)
        status = page.evaluate(
            "() => document.querySelector('.jp-Notebook-ExecutionIndicator')"
            "?.getAttribute('data-status')"
        )
        dialog = page.locator(".jp-Dialog").count()
        if status == "idle" and not dialog:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= settle:
                return
        else:
            quiet_since = None
        time.sleep(0.5)
    raise TimeoutError("the kernel did not become idle")


def _run_all(page, code_cells: int, timeout: float, attempts: int = 3) -> None:
    """Click Run → Run All Cells; click again if no cell starts (a dialog swallowed the click)."""
    for _attempt in range(attempts):
        _accept_dialogs(page)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        started = time.monotonic()
        while time.monotonic() - started < 20:
            prompts = page.evaluate(_PROMPTS_JS)
            if any(p != "[ ]:" for p in prompts):
                _wait_for_run(page, code_cells, timeout)
                return
            _accept_dialogs(page)
            time.sleep(0.5)
    raise TimeoutError(f"no cell started after {attempts} clicks on Run All Cells")


def _wait_for_run(page, code_cells: int, timeout: float) -> None:
    """Wait until every code cell ran, or the run stopped (a cell failed and the queue emptied)."""
    deadline = time.monotonic() + timeout
    stopped_since = None
    while time.monotonic() < deadline:
        _accept_dialogs(page)
        prompts = page.evaluate(_PROMPTS_JS)
        running = any("*" in p for p in prompts)
        executed = sum(1 for p in prompts if p[1:-2].strip().isdigit())
        if not running and executed >= code_cells:
            return
        if not running and executed:
            stopped_since = stopped_since or time.monotonic()
            if time.monotonic() - stopped_since > 10:
                return
        else:
            stopped_since = None
        time.sleep(1)
    raise TimeoutError(
        f"Run All did not finish within {timeout:.0f} s; prompts: {' '.join(prompts)}"
    )


def _wait_for_save(path: Path, before: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.stat().st_mtime_ns != before:
            return
        time.sleep(0.3)
    raise TimeoutError(f"{path.name} was not saved")
