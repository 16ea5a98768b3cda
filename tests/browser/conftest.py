"""Browser fixtures: the real app under uvicorn on a free loopback port with a freshly migrated
database per test module, one Chromium for the whole run (Debian's, driven by Playwright's sync
API), a watched page per test that fails on console errors and Content-Security-Policy
violations, an axe-core accessibility scan with a screenshot, and helpers that create accounts
and sign in.

Everything here is synchronous on purpose: Playwright's sync API cannot run inside an asyncio
loop, so browser tests and their fixtures are plain `def`. While Playwright runs it claims the
thread's event loop, so the browser tests run after every other test, the database provider
starts before the browser, and coroutines the fixtures need run on a thread of their own.
"""

from __future__ import annotations

import itertools
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, sync_playwright

from tests.browser.helpers_lounges import LIVE_DATABASES, run_coroutine
from tests.databases import IN_CI, ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run",
]
HERE = Path(__file__).resolve().parent
AXE_SOURCE = HERE / "vendor" / "axe-core-4.14.1.min.js"
SCREENSHOTS = HERE / "screenshots"
PASSWORD = "correct horse battery"
SERVER_LOG = pytest.StashKey[Path]()
STARTUP_SECONDS = 30
# Static assets that fail to load are page bugs; documents and htmx fetches answering 4xx are
# usually what a test provoked, and the test asserts on what the page shows instead.
ASSET_TYPES = frozenset({"stylesheet", "script", "image", "font", "media"})
_emails = itertools.count(1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    in_browser = [item for item in items if HERE in Path(str(item.path)).parents]
    for item in in_browser:
        item.add_marker(pytest.mark.browser)
    others = [item for item in items if item not in in_browser]
    items[:] = others + in_browser


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    log = item.config.stash.get(SERVER_LOG, None)
    if report.failed and log is not None and "live_server" in getattr(item, "fixturenames", ()):
        report.sections.append(("uvicorn log (last 200 lines)", _tail(log)))


def _tail(path: Path, lines: int = 200) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flush_redis(url: str) -> None:
    from redis import Redis

    client = Redis.from_url(url)
    try:
        client.flushdb()  # login throttles and rate limits must not leak between modules
    finally:
        client.close()


def _wait_until_healthy(process: subprocess.Popen, base_url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"uvicorn exited with {process.returncode}:\n{_tail(log)}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"uvicorn did not answer /healthz within {STARTUP_SECONDS}s:\n{_tail(log)}")


@pytest.fixture(scope="module")
def live_server(databases, tmp_path_factory: pytest.TempPathFactory,
                request: pytest.FixtureRequest) -> Iterator[str]:
    """The real app under uvicorn with its own migrated database; yields the base URL."""
    database_url = run_coroutine(databases.create())
    workdir = tmp_path_factory.mktemp("live")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("LOUNGE_")}
    env.update(LOUNGE_DATABASE_URL=database_url, LOUNGE_BASE_URL=base_url,
               LOUNGE_SECRET_KEY="browser-test-secret-key-0123456789",
               LOUNGE_DATA_DIR=str(workdir / "data"), LOUNGE_LOG_LEVEL="INFO")
    # A test module may set more, e.g. `LIVE_SERVER_ENV = {"LOUNGE_WEBHOOK_ALLOWLIST": "127.0.0.1"}`.
    env.update(getattr(request.module, "LIVE_SERVER_ENV", {}))
    redis_url = os.environ.get("LOUNGE_REDIS_URL")
    if redis_url:
        env["LOUNGE_REDIS_URL"] = redis_url
        _flush_redis(redis_url)
    log = workdir / "uvicorn.log"
    request.config.stash[SERVER_LOG] = log
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app",
             "--host", "127.0.0.1", "--port", str(port), "--ws", "websockets-sansio"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_healthy(process, base_url, log)
        LIVE_DATABASES[base_url] = database_url
        yield base_url
    finally:
        LIVE_DATABASES.pop(base_url, None)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        run_coroutine(databases.drop(database_url))


@pytest.fixture(scope="session")
def browser(databases) -> Iterator[Browser]:
    # `databases` is requested so that it is built before, and closed after, Playwright's loop.
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (make chromium installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# Chromium reports CSP refusals on the console ("Refused to ..."); the event makes sure none
# is missed, whatever the console does with it.
_REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline code"}`);
});
"""


@dataclass
class PageWatch:
    """What went wrong on a page: console errors, uncaught exceptions, CSP refusals, htmx
    warnings and static assets that failed to load. A test that provokes a message on purpose
    (a socket dropping while offline) declares it with `allow(pattern)`."""

    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Ignore problems matching this regular expression (searched anywhere in the text)."""
        self.allowed.append(re.compile(pattern))

    def _record(self, problem: str) -> None:
        if not any(p.search(problem) for p in self.allowed):
            self.problems.append(problem)

    def attach(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self._record(f"uncaught: {error}"))
        page.on("response", self._on_response)

    def _on_console(self, message: ConsoleMessage) -> None:
        text = message.text
        if message.type == "error":
            if text.startswith("Failed to load resource: the server responded with a status of 4"):
                return
            self._record(f"console error: {text}")
        elif message.type == "warning" and text.startswith("htmx"):
            self._record(f"htmx warning: {text}")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type in ASSET_TYPES:
            self._record(f"{response.status} loading {response.url}")

    def take(self) -> list[str]:
        found, self.problems = self.problems, []
        return found


@pytest.fixture
def new_page(browser: Browser, live_server: str) -> Iterator[Callable[[], Page]]:
    """`new_page(**context_options)` opens a page in a browser context of its own (separate
    cookies: another person; options such as `color_scheme="dark"`); the test fails if any of
    them logged an error or a CSP violation."""
    contexts, watch = [], PageWatch()

    def open_page(**context_options: Any) -> Page:
        options = {"viewport": {"width": 1280, "height": 900}, **context_options}
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(10_000)
        context.add_init_script(_REPORT_CSP)
        contexts.append(context)
        page = context.new_page()
        watch.attach(page)
        return page

    open_page.watch = watch  # type: ignore[attr-defined]
    yield open_page
    for context in contexts:
        context.close()
    problems = watch.take()
    if problems:
        pytest.fail("the page reported problems:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


@pytest.fixture
def page_watch(new_page) -> PageWatch:
    """The problem collector of this test's pages: `page_watch.allow(regex)` for a message the
    test provokes on purpose, `page_watch.take()` to inspect and clear what was caught."""
    return new_page.watch


def _format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html']}")
            lines.append("       " + node["summary"].replace("\n", "\n       "))
    return "\n".join(lines)


_RUN_AXE = """
async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.map(String), html: n.html,
                                summary: n.failureSummary || ""})),
  }));
}
"""


def scan_accessibility(page: Page, name: str) -> list[dict]:
    """Save a full-page screenshot as `screenshots/<name>.png`, run axe-core on the page and
    fail on any serious or critical violation. Returns the minor ones."""
    page.wait_for_load_state("load")
    SCREENSHOTS.mkdir(exist_ok=True)
    # Hiding the caret would leave `style=""` on inputs; htmx copies such attributes onto swapped-in
    # elements with setAttribute, which the CSP refuses, so a later swap would report a violation.
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, caret="initial")
    # Evaluated through the DevTools protocol, which the page's CSP does not govern; an injected
    # <script> would be refused (and rightly reported as a violation).
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE.read_text())
    violations = page.evaluate(_RUN_AXE)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    if serious:
        pytest.fail(f"axe found {len(serious)} serious problem(s) on {name} ({page.url}):\n"
                    + _format_violations(serious), pytrace=False)
    return [v for v in violations if v not in serious]


@pytest.fixture
def axe_scan() -> Callable[[Page, str], list[dict]]:
    """`axe_scan(page, "settings")`: screenshot plus accessibility check of the current page."""
    return scan_accessibility


@dataclass(frozen=True)
class BrowserAccount:
    email: str
    display_name: str
    password: str = PASSWORD


@pytest.fixture
def create_account(live_server: str) -> Callable[..., BrowserAccount]:
    """Registers an account through the API (fast set-up for tests about other pages)."""

    def create(display_name: str = "Ana Lima", email: str | None = None,
               password: str = PASSWORD, time_zone: str = "UTC") -> BrowserAccount:
        email = email or f"person{next(_emails)}-{time.monotonic_ns()}@example.com"
        response = httpx.post(f"{live_server}/api/v1/auth/register", json={
            "email": email, "password": password, "display_name": display_name,
            "time_zone": time_zone})
        assert response.status_code == 201, response.text
        return BrowserAccount(email=email, display_name=display_name, password=password)

    return create


def _sign_in(page: Page, account: BrowserAccount) -> None:
    page.goto("/login")
    form = page.locator("#login-form")
    form.get_by_label("Email").fill(account.email)
    form.get_by_label("Password").fill(account.password)
    form.get_by_role("button", name="Sign in").click()
    page.wait_for_url("/")


@pytest.fixture
def sign_in() -> Callable[[Page, BrowserAccount], None]:
    """`sign_in(page, account)`: signs in through /login and waits for the start page."""
    return _sign_in


@pytest.fixture
def signed_in_page(page: Page, create_account) -> Page:
    """A page already signed in as a fresh account (its details in `page.account`)."""
    account = create_account()
    _sign_in(page, account)
    page.account = account  # type: ignore[attr-defined]
    return page
