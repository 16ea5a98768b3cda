// The @mention picker of chat composers: a textarea with `data-mention-source` (its channel's
// GET /api/v1/channels/{id}/people) and `aria-controls` naming its listbox. Typing `@` and a
// letter or more asks for up to 8 people, the channel's members first, once typing pauses for
// 150 ms (answers are kept per prefix while the list is open); ArrowDown and ArrowUp move,
// Enter or Tab picks, Escape closes, a click picks. Picking puts `@handle ` at the caret, which
// the server's mention parser recognises. The ARIA combobox pattern: the textarea is the
// combobox (aria-expanded, aria-activedescendant), the list its listbox; options are built with
// textContent in the structure fragments/mention_options.html renders.
"use strict";

(() => {
  const PAUSE = 150;
  const LIMIT = 8;
  // An `@` that does not follow a letter, digit, `_` or `@` (as the server's parser wants),
  // then what has been typed of the name, up to the caret.
  const TYPED = /(?:^|[^\p{L}\p{N}_@])@([\p{L}\p{N}._-]{1,30})$/u;
  const CARET_KEYS = new Set(["ArrowLeft", "ArrowRight", "Home", "End"]);

  const el = (tag, attributes, text) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text) node.textContent = text;
    return node;
  };

  class MentionPicker {
    constructor(input) {
      this.input = input;
      this.source = input.dataset.mentionSource;
      this.list = document.getElementById(input.getAttribute("aria-controls"));
      this.cache = new Map();  // lower-cased prefix -> people, while the list is open
      this.people = [];
      this.active = -1;
      this.query = null;       // what follows the @; null when the caret is not in a mention
      this.timer = null;
      input.addEventListener("input", () => this.update());
      input.addEventListener("click", () => this.update());
      input.addEventListener("keyup", (event) => { if (CARET_KEYS.has(event.key)) this.update(); });
      input.addEventListener("blur", () => this.close());
      // Captured on the form, so it runs before the composer's own Enter-sends on the textarea.
      input.form.addEventListener("keydown", (event) => { if (event.target === input) this.key(event); }, true);
      this.list.addEventListener("mousedown", (event) => event.preventDefault());  // the focus stays put
      this.list.addEventListener("click", (event) => {
        const option = event.target instanceof Element ? event.target.closest("[data-index]") : null;
        if (option) this.pick(Number(option.dataset.index));
      });
    }

    typed() {
      const { selectionStart: start, selectionEnd: end, value } = this.input;
      return start === end ? TYPED.exec(value.slice(0, start)) : null;
    }

    update() {
      const match = this.typed();
      if (!match) { this.close(); return; }
      this.query = match[1];
      clearTimeout(this.timer);
      const known = this.cache.get(this.query.toLowerCase());
      if (known) this.show(known);
      else this.timer = setTimeout(() => this.load(this.query), PAUSE);
    }

    async load(query) {
      const key = query.toLowerCase();
      let people;
      try {
        const response = await fetch(`${this.source}?q=${encodeURIComponent(query)}&limit=${LIMIT}`,
          { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) return;
        people = (await response.json()).items;
      } catch {
        return;  // offline: no suggestions, typing goes on
      }
      if (this.query === null) return;  // closed meanwhile
      this.cache.set(key, people);
      if (this.query.toLowerCase() === key) this.show(people);
    }

    show(people) {
      this.people = people;
      this.active = -1;
      const options = people.map((person, index) => {
        const option = el("li", { role: "option", id: `mention-${person.id}`, "aria-selected": "false",
          "data-handle": person.handle, "data-index": String(index) });
        option.append(el("span", { class: "mention-name" }, person.display_name), " ",
          el("span", { class: "muted" }, `@${person.handle}`));
        if (!person.member) option.append(" ", el("small", { class: "muted" }, "not in this chat"));
        return option;
      });
      if (!options.length) {
        options.push(el("li", { role: "option", "aria-disabled": "true", "aria-selected": "false", class: "muted" },
          "Nobody matches."));
      }
      this.list.replaceChildren(...options);
      this.list.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
      this.input.removeAttribute("aria-activedescendant");
    }

    activate(index) {
      this.active = index;
      this.list.querySelectorAll("[data-index]").forEach((option) => {
        const on = Number(option.dataset.index) === index;
        option.setAttribute("aria-selected", String(on));
        if (on) {
          this.input.setAttribute("aria-activedescendant", option.id);
          option.scrollIntoView({ block: "nearest" });
        }
      });
    }

    key(event) {
      if (this.list.hidden || event.isComposing) return;
      const count = this.people.length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!count) return;
        const step = event.key === "ArrowDown" ? 1 : count - 1;
        this.activate(this.active < 0 ? (step === 1 ? 0 : count - 1) : (this.active + step) % count);
      } else if (event.key === "Enter" || event.key === "Tab") {
        // Nothing chosen yet: Enter sends and Tab moves on, as without the list.
        if (this.active < 0 || event.shiftKey) { this.close(); return; }
        this.pick(this.active);
      } else if (event.key === "Escape") {
        this.close();
      } else {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
    }

    pick(index) {
      const person = this.people[index];
      const match = this.typed();
      if (!person || !match) { this.close(); return; }
      const end = this.input.selectionStart;
      this.input.setRangeText(`@${person.handle} `, end - match[1].length - 1, end, "end");
      this.close();
      this.input.focus();
    }

    close() {
      clearTimeout(this.timer);
      this.query = null;
      this.people = [];
      this.active = -1;
      this.cache.clear();
      this.list.hidden = true;
      this.list.replaceChildren();
      this.input.setAttribute("aria-expanded", "false");
      this.input.removeAttribute("aria-activedescendant");
    }
  }

  const start = () => document.querySelectorAll("textarea[data-mention-source]").forEach((input) => {
    if (!input.mentions && input.form) input.mentions = new MentionPicker(input);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:after:swap", start);
})();
