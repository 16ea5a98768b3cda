// Live chat panel: history over HTTP, live events over the JSON WebSocket protocol, posting over
// HTTP with the page's CSRF token. Every node is built with createElement/textContent; the
// server's already-sanitised Markdown HTML is re-walked into an allow-list of elements, so no
// string ever reaches innerHTML. Times read as the server renders them (fragments/message.html):
// in the viewer's profile zone and clock, given on the panel, never the browser's. Under a
// message show only the reactions it has; the picker and its actions show while the message
// is hovered or holds the focus (app.css). See docs/realtime.md.
"use strict";

(() => {
  const QUICK_REACTIONS = ["👍", "🎉", "❤️", "😄", "🤔"];
  const ALLOWED = new Set(["P", "BR", "STRONG", "EM", "DEL", "CODE", "PRE", "BLOCKQUOTE", "UL", "OL", "LI",
    "A", "H1", "H2", "H3", "H4", "H5", "H6", "HR", "TABLE", "THEAD", "TBODY", "TR", "TH", "TD"]);
  const ATTRIBUTES = { A: ["href", "title"], OL: ["start"], TH: ["align"], TD: ["align"] };
  const TYPING_SEND_EVERY = 3000;
  const TYPING_SHOW_FOR = 4000;

  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "text") node.textContent = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  };

  // Copy sanitised HTML into fresh nodes, keeping only allowed elements and safe attributes.
  function safeFragment(html) {
    const parsed = new DOMParser().parseFromString(html, "text/html");
    const out = document.createDocumentFragment();
    const copy = (source, target) => {
      for (const node of source.childNodes) {
        if (node.nodeType === Node.TEXT_NODE) {
          target.append(document.createTextNode(node.textContent));
        } else if (node.nodeType === Node.ELEMENT_NODE) {
          if (!ALLOWED.has(node.tagName)) { copy(node, target); continue; }
          const clean = document.createElement(node.tagName.toLowerCase());
          for (const name of ATTRIBUTES[node.tagName] || []) {
            const value = node.getAttribute(name);
            if (value === null) continue;
            if (name === "href" && !/^(https?:|mailto:)/i.test(value)) continue;
            clean.setAttribute(name, value);
          }
          if (node.tagName === "A") { clean.rel = "noopener noreferrer nofollow"; clean.target = "_blank"; }
          copy(node, clean);
          target.append(clean);
        }
      }
    };
    copy(parsed.body, out);
    return out;
  }

  const clientId = () => (crypto.randomUUID ? crypto.randomUUID()
    : `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);

  class ChatPanel {
    constructor(root) {
      this.root = root;
      this.channel = root.dataset.channelId;
      this.me = root.dataset.me;
      this.canModerate = root.dataset.canModerate === "true";
      this.csrf = root.dataset.csrf;
      this.zone = root.dataset.timeZone || "UTC";
      this.clock = new Intl.DateTimeFormat("en-US", { timeZone: this.zone, hourCycle: root.dataset.hourCycle || "h23",
        day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit" });
      this.log = root.querySelector("[data-role=log]");
      this.empty = root.querySelector("[data-role=empty]");
      this.onlineLine = root.querySelector("[data-role=online]");
      this.typingLine = root.querySelector("[data-role=typing]");
      this.status = root.querySelector("[data-role=status]");
      this.olderButton = root.querySelector("[data-action=older]");
      this.form = root.querySelector("form");
      this.input = this.form.querySelector("textarea");
      this.error = root.querySelector("#chat-form-body-error");
      this.items = new Map();          // message id -> <article>
      this.lastSeq = 0;
      this.oldestSeq = null;
      this.online = new Map();         // user id -> display name
      this.onlineCount = 0;
      this.typists = new Map();        // user id -> [name, timer]
      this.lastTypingSent = 0;
      this.retry = 0;
      this.readSent = 0;
      this.readTimer = null;
      this.stopped = false;
      this.bind();
      this.start();
    }

    api(path, options = {}) {
      const headers = { Accept: "application/json", ...(options.headers || {}) };
      if (options.method && options.method !== "GET") headers["X-CSRF-Token"] = this.csrf;
      if (options.body) headers["Content-Type"] = "application/json";
      return fetch(path, { credentials: "same-origin", ...options, headers });
    }

    async start() {
      const response = await this.api(`/api/v1/channels/${this.channel}/messages?limit=50`);
      if (!response.ok) { this.fail(response.status === 404 ? "Chat is open to this lounge's members." : "Chat could not load."); return; }
      const page = await response.json();
      this.addOlder(page);
      this.scrollToEnd();
      this.markRead();
      this.connect();
    }

    fail(text) {
      this.stopped = true;
      this.onlineLine.textContent = text;
      this.form.hidden = true;
    }

    // ---- the socket -----------------------------------------------------------------------
    connect() {
      if (this.stopped) return;
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const ws = new WebSocket(`${scheme}://${location.host}/api/v1/channels/${this.channel}/ws?after=${this.lastSeq}`);
      this.ws = ws;
      ws.addEventListener("open", () => { this.retry = 0; this.status.textContent = ""; });
      ws.addEventListener("message", (event) => {
        let data;
        try { data = JSON.parse(event.data); } catch { return; }
        this.handle(data);
      });
      ws.addEventListener("close", (event) => {
        if (this.ws !== ws || this.stopped) return;
        if (event.code === 1008) { this.fail("You are no longer a member of this chat."); return; }
        const wait = Math.min(15000, 500 * 2 ** this.retry++) + Math.random() * 500;
        this.status.textContent = "Connection lost; reconnecting…";
        setTimeout(() => this.connect(), wait);
      });
    }

    handle(event) {
      switch (event.type) {
        case "hello":
          this.online = new Map(event.online.map((u) => [u.id, u.display_name]));
          this.onlineCount = event.online_count;
          this.showOnline();
          break;
        case "message": this.upsert(event.message, true); this.markRead(); break;
        case "message_edited": this.upsert(event.message, false); break;
        case "message_deleted": {
          const li = this.items.get(event.message_id);
          if (li) this.fill(li, { ...li.message, deleted: true, body: "", html: "", reactions: [] });
          break;
        }
        case "reaction": {
          const li = this.items.get(event.message_id);
          if (li) this.fill(li, { ...li.message, reactions: event.reactions });
          break;
        }
        case "presence":
          for (const u of event.joined) this.online.set(u.id, u.display_name);
          for (const u of event.left) this.online.delete(u.id);
          this.onlineCount = event.online_count;
          this.showOnline();
          break;
        case "typing": this.showTyping(event.user); break;
        case "error": this.status.textContent = event.detail; break;
        default: break;
      }
    }

    showOnline() {
      const names = [...this.online.values()].sort((a, b) => a.localeCompare(b));
      if (this.onlineCount > names.length || names.length > 12) {
        this.onlineLine.textContent = `${this.onlineCount} online`;
      } else {
        this.onlineLine.textContent = names.length ? `Online: ${names.join(", ")}` : "Nobody else is here right now.";
      }
    }

    showTyping(user) {
      if (user.id === this.me) return;
      const previous = this.typists.get(user.id);
      if (previous) clearTimeout(previous[1]);
      const timer = setTimeout(() => { this.typists.delete(user.id); this.renderTyping(); }, TYPING_SHOW_FOR);
      this.typists.set(user.id, [user.display_name, timer]);
      this.renderTyping();
    }

    renderTyping() {
      const names = [...this.typists.values()].map(([name]) => name);
      this.typingLine.textContent = names.length === 0 ? ""
        : names.length === 1 ? `${names[0]} is typing…` : `${names.slice(0, -1).join(", ")} and ${names.at(-1)} are typing…`;
    }

    // ---- messages -------------------------------------------------------------------------
    upsert(message, live) {
      const existing = this.items.get(message.id);
      if (existing) { this.fill(existing, message); return; }
      if (live && message.seq <= this.lastSeq) return;
      const nearEnd = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
      const li = this.build(message);
      this.log.append(li);
      this.lastSeq = Math.max(this.lastSeq, message.seq);
      if (this.oldestSeq === null) this.oldestSeq = message.seq;
      this.empty.hidden = true;
      if (nearEnd || message.author.id === this.me) this.scrollToEnd();
    }

    addOlder(page) {
      const before = this.log.scrollHeight;
      const first = this.log.firstChild;
      for (const message of page.items) {
        if (this.items.has(message.id)) continue;
        this.log.insertBefore(this.build(message), first);
        this.lastSeq = Math.max(this.lastSeq, message.seq);
      }
      if (page.items.length) this.oldestSeq = Math.min(this.oldestSeq ?? Infinity, page.items[0].seq);
      this.olderButton.hidden = !page.next_cursor;
      this.empty.hidden = this.items.size > 0;
      this.log.scrollTop += this.log.scrollHeight - before;
    }

    async loadOlder() {
      if (this.loadingOlder || this.oldestSeq === null) return;
      this.loadingOlder = true;
      try {
        const response = await this.api(`/api/v1/channels/${this.channel}/messages?before=${this.oldestSeq}&limit=50`);
        if (response.ok) this.addOlder(await response.json());
      } finally { this.loadingOlder = false; }
    }

    // "05 Mar, 14:30", as the server's "%d %b, %H:%M" (English month names, whatever the locale).
    shownTime(iso) {
      const part = Object.fromEntries(this.clock.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
      return `${part.day} ${part.month}, ${part.hour}:${part.minute}${part.dayPeriod ? ` ${part.dayPeriod}` : ""}`;
    }

    build(message) {
      const li = el("article", { className: "chat-message", id: `msg-${message.id}`, tabindex: "0" });
      this.items.set(message.id, li);
      this.fill(li, message);
      return li;
    }

    fill(li, message) {
      li.message = message;
      li.dataset.seq = message.seq;
      li.classList.toggle("is-deleted", Boolean(message.deleted));
      const focused = li.contains(document.activeElement) ? document.activeElement : null;
      const meta = el("p", { className: "chat-meta" },
        el("strong", { text: message.author.display_name }), " ",
        el("time", { datetime: message.created_at, title: this.zone, text: this.shownTime(message.created_at) }),
        message.edited_at && !message.deleted ? el("small", { className: "muted", text: " (edited)" }) : null);
      const parts = [meta];
      if (message.deleted) {
        parts.push(el("p", { className: "chat-body chat-removed muted", text: "message removed" }));
      } else {
        const body = el("div", { className: "chat-body" });
        body.append(safeFragment(message.html));
        parts.push(body, this.reactions(message), this.actions(message));
      }
      li.replaceChildren(...parts);
      if (focused && !li.contains(focused)) this.refocus(li, focused);
    }

    // After a redraw, the keyboard stays where it was: on the same button (a reaction moves
    // from the picker to the reactions above it), else on the message.
    refocus(li, previous) {
      const { action, emoji } = previous.dataset || {};
      const same = [...li.querySelectorAll("button[data-action]")]
        .find((b) => b.dataset.action === action && (b.dataset.emoji ?? "") === (emoji ?? ""));
      (same || li).focus();
    }

    // A reaction button for `messageId`: the emoji in its own span (drawn by an emoji font), then the count.
    emojiChip(messageId, emoji, props, count) {
      return el("button", { type: "button", ...props, dataset: { action: "react", emoji, id: messageId } },
        el("span", { className: "emoji", text: emoji }), count === undefined ? null : ` ${count}`);
    }

    reactions(message) {
      const row = el("p", { className: "chat-reactions" });
      for (const r of message.reactions) {
        const mine = r.user_ids.includes(this.me);
        row.append(this.emojiChip(message.id, r.emoji, { className: "chat-chip", "aria-pressed": String(mine),
          "aria-label": `${r.emoji} ${r.count}; ${mine ? "remove your reaction" : "react"}` }, r.count));
      }
      return row;
    }

    actions(message) {
      const bar = el("p", { className: "chat-actions" });
      const used = new Set(message.reactions.map((r) => r.emoji));
      for (const emoji of QUICK_REACTIONS) {
        if (used.has(emoji)) continue;
        bar.append(this.emojiChip(message.id, emoji, { className: "chat-chip outline", "aria-label": `React with ${emoji}` }));
      }
      if (message.author.id === this.me) {
        bar.append(el("button", { type: "button", className: "chat-chip outline", dataset: { action: "edit", id: message.id }, text: "Edit" }));
      }
      if (message.author.id === this.me || this.canModerate) {
        bar.append(el("button", { type: "button", className: "chat-chip outline", dataset: { action: "delete", id: message.id }, text: "Delete" }));
      }
      return bar;
    }

    scrollToEnd() { this.log.scrollTop = this.log.scrollHeight; }

    markRead() {
      if (document.visibilityState !== "visible" || this.lastSeq <= this.readSent) return;
      clearTimeout(this.readTimer);
      this.readTimer = setTimeout(() => {
        const seq = this.lastSeq;
        this.api(`/api/v1/channels/${this.channel}/read`, { method: "POST", body: JSON.stringify({ seq }) })
          .then((r) => { if (r.ok) this.readSent = seq; }, () => {});
      }, 1500);
    }

    // ---- what the user does ---------------------------------------------------------------
    bind() {
      this.form.addEventListener("submit", (event) => { event.preventDefault(); this.send(); });
      this.input.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); this.send(); }
      });
      this.input.addEventListener("input", () => {
        const now = Date.now();
        if (now - this.lastTypingSent > TYPING_SEND_EVERY && this.ws && this.ws.readyState === WebSocket.OPEN) {
          this.lastTypingSent = now;
          this.ws.send('{"type":"typing"}');
        }
      });
      this.olderButton.addEventListener("click", () => this.loadOlder());
      this.log.addEventListener("scroll", () => { if (this.log.scrollTop < 40 && !this.olderButton.hidden) this.loadOlder(); });
      this.root.addEventListener("click", (event) => {
        const button = event.target instanceof Element ? event.target.closest("button[data-action]") : null;
        if (!button || !this.root.contains(button) || button.dataset.action === "older") return;
        const li = this.items.get(button.dataset.id);
        if (!li) return;
        if (button.dataset.action === "react") this.toggleReaction(li.message, button.dataset.emoji);
        else if (button.dataset.action === "edit") this.edit(li);
        else if (button.dataset.action === "delete") this.remove(li.message);
      });
      document.addEventListener("visibilitychange", () => this.markRead());
    }

    async send() {
      const body = this.input.value;
      if (!body.trim()) { this.error.textContent = "Write a message first."; return; }
      this.error.textContent = "";
      const payload = JSON.stringify({ body, client_id: clientId() });
      for (let attempt = 0; attempt < 3; attempt++) {
        let response;
        try {
          response = await this.api(`/api/v1/channels/${this.channel}/messages`, { method: "POST", body: payload });
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
          continue;  // same client_id: a retry never posts twice
        }
        if (response.ok) {
          this.input.value = "";
          this.upsert(await response.json(), true);
          return;
        }
        if (response.status === 503) {  // the database is briefly away: try again, same client_id
          const wait = Number(response.headers.get("Retry-After")) || 2;
          this.error.textContent = "Lounge is reconnecting; sending again in a moment…";
          await new Promise((resolve) => setTimeout(resolve, 1000 * wait * (attempt + 1)));
          continue;
        }
        const problem = await response.json().catch(() => ({}));
        this.error.textContent = problem.detail || "The message was not sent.";
        return;
      }
      this.error.textContent = "You seem to be offline; the message was not sent.";
    }

    async toggleReaction(message, emoji) {
      const mine = message.reactions.some((r) => r.emoji === emoji && r.user_ids.includes(this.me));
      const response = await this.api(`/api/v1/messages/${message.id}/reactions/${encodeURIComponent(emoji)}`,
        { method: mine ? "DELETE" : "PUT" });
      if (response.ok) this.upsert(await response.json(), false);
    }

    edit(li) {
      const message = li.message;
      const form = el("form", { className: "chat-edit" });
      const id = `chat-edit-${message.id}`;
      const area = el("textarea", { id, rows: "2", maxlength: "4000" });
      area.value = message.body;
      const problem = el("small", { className: "field-error", "aria-live": "polite" });
      form.append(el("label", { for: id, text: "Edit message" }), area, problem,
        el("button", { type: "submit", className: "chat-chip", text: "Save" }), " ",
        el("button", { type: "button", className: "chat-chip secondary", text: "Cancel", dataset: { cancel: "1" } }));
      form.addEventListener("click", (event) => {
        if (event.target instanceof Element && event.target.closest("[data-cancel]")) this.fill(li, li.message);
      });
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const response = await this.api(`/api/v1/messages/${message.id}`, { method: "PATCH", body: JSON.stringify({ body: area.value }) });
        if (response.ok) { this.fill(li, await response.json()); return; }
        const body = await response.json().catch(() => ({}));
        problem.textContent = body.detail || "Not saved.";
      });
      li.querySelector(".chat-body").replaceWith(form);
      area.focus();
    }

    async remove(message) {
      if (!window.confirm("Delete this message?")) return;
      const response = await this.api(`/api/v1/messages/${message.id}`, { method: "DELETE" });
      if (response.ok) {
        const li = this.items.get(message.id);
        if (li) this.fill(li, { ...message, deleted: true, body: "", html: "", reactions: [] });
      }
    }
  }

  const start = () => document.querySelectorAll("[data-chat-panel]").forEach((root) => {
    if (!root.chat) root.chat = new ChatPanel(root);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:after:swap", start);
})();
