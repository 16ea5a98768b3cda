// Page behaviour that htmx attributes cannot express. Kept in a file (no inline scripts or
// hx-on handlers) so the Content-Security-Policy can forbid inline code and eval.
"use strict";

// A new submission clears the previous field errors of that form.
document.addEventListener("htmx:before:request", (event) => {
  const form = event.target instanceof Element ? event.target.closest("form") : null;
  if (form) form.querySelectorAll(".field-error").forEach((el) => { el.textContent = ""; });
});

// One-time secrets (new API tokens) are selected on focus, ready to copy.
document.addEventListener("focusin", (event) => {
  if (event.target instanceof HTMLInputElement && event.target.hasAttribute("data-select-on-focus")) {
    event.target.select();
  }
});

// Forms marked data-reset-on-success start empty again once the server accepted them (a new
// API token form must not invite a second submission of the same values).
document.addEventListener("htmx:after:request", (event) => {
  const form = event.target instanceof HTMLFormElement ? event.target : null;
  const status = event.detail?.ctx?.response?.status;
  if (form && form.hasAttribute("data-reset-on-success") && status >= 200 && status < 300) {
    form.reset();
  }
});

// A field whose error slot holds a message is marked aria-invalid (screen readers announce it,
// Pico outlines it in red); the mark goes once the message has been cleared.
document.addEventListener("htmx:finally:request", () => {
  document.querySelectorAll(".field-error[id]").forEach((slot) => {
    const described = `[aria-describedby~="${CSS.escape(slot.id)}"]`;
    const invalid = slot.textContent.trim() !== "";
    document.querySelectorAll(`input${described}, select${described}, textarea${described}`)
      .forEach((field) => {
        if (invalid) field.setAttribute("aria-invalid", "true");
        else field.removeAttribute("aria-invalid");
      });
  });
});

// The main menu's button on a phone (`.nav-toggle`, see app.css) opens and closes the menu;
// Escape inside the menu closes it and gives the focus back to the button.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest(".nav-toggle button") : null;
  if (button) button.setAttribute("aria-expanded", String(button.getAttribute("aria-expanded") !== "true"));
});
document.addEventListener("keydown", (event) => {
  const button = document.querySelector('.nav-toggle button[aria-expanded="true"]');
  if (event.key !== "Escape" || !button || !button.closest("nav").contains(document.activeElement)) return;
  button.setAttribute("aria-expanded", "false");
  button.focus();
});

// Unread chat counts on lounge cards (`data-unread-channel`), filled from GET /api/v1/me/unread.
async function fillUnreadCounts() {
  const slots = [...document.querySelectorAll("[data-unread-channel]:not([data-unread-state])")];
  if (slots.length === 0) return;
  slots.forEach((slot) => slot.setAttribute("data-unread-state", "loading"));
  const response = await fetch("/api/v1/me/unread", { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) return;
  const counts = new Map((await response.json()).items.map((c) => [c.channel_id, c.unread]));
  for (const slot of slots) {
    const unread = counts.get(slot.dataset.unreadChannel) || 0;
    if (unread > 0) {
      slot.textContent = `${unread > 99 ? "99+" : unread} unread`;
      slot.classList.add("badge");
    }
    slot.setAttribute("data-unread-state", "shown");
  }
}
document.addEventListener("DOMContentLoaded", fillUnreadCounts);
document.addEventListener("htmx:after:swap", fillUnreadCounts);

// Person pickers (`data-person-picker`): a search box fills the picker with the answer of
// GET /api/v1/users, one "Choose" button per person; choosing puts that person's id in the
// picker's hidden input (`data-picked-id`) and submits the input's form.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-pick-person]") : null;
  const input = button?.closest("[data-person-picker]")?.querySelector("input[data-picked-id]");
  if (!input || !input.form) return;
  input.value = button.dataset.pickPerson;
  input.form.requestSubmit();
});

// An action answered with HX-Redirect (joining or leaving a lounge reloads its page) keeps the
// keyboard's place: the new page focuses the control with the id of the one pressed, and its
// status region (`data-announcer`) reads that control's description, which says what changed.
const REFOCUS = "lounge:refocus";
document.addEventListener("htmx:after:request", (event) => {
  const control = document.activeElement;
  if (event.detail?.ctx?.hx?.redirect && control?.id) sessionStorage.setItem(REFOCUS, control.id);
});
document.addEventListener("DOMContentLoaded", () => {
  const control = document.getElementById(sessionStorage.getItem(REFOCUS) || "");
  sessionStorage.removeItem(REFOCUS);
  if (!control) return;
  control.focus();
  const said = document.getElementById(control.getAttribute("aria-describedby") || "")?.textContent.trim();
  const region = document.querySelector("[data-announcer]");
  if (said && region) setTimeout(() => { region.textContent = said; }, 100);
});
