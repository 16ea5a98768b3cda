// Behaviour of the goal pages that htmx attributes cannot express: live character counts, the
// example contract, save states, moving plan steps by keyboard with focus kept on the moved
// step, the step-kind chooser and the search-as-you-type pickers. A file of its own, like app.js,
// so the Content-Security-Policy can forbid inline code.
"use strict";

// --- live character counts (`<textarea data-char-max>` and its `[data-char-count-for]`) -------

function updateCount(field) {
  const slot = document.querySelector(`[data-char-count-for="${CSS.escape(field.id)}"]`);
  if (!slot) return;
  const max = Number(field.dataset.charMax);
  const used = [...field.value].length; // characters, as the server counts them
  const over = used - max;
  slot.textContent = over > 0
    ? `${over} character${over === 1 ? "" : "s"} too many (at most ${max})`
    : `${used} of ${max} characters`;
  slot.classList.toggle("over", over > 0);
}

function updateCounts(root = document) {
  root.querySelectorAll("textarea[data-char-max]").forEach(updateCount);
}

document.addEventListener("input", (event) => {
  if (event.target instanceof HTMLTextAreaElement && event.target.hasAttribute("data-char-max")) {
    updateCount(event.target);
  }
});
// A reset form (after a check-in or a comment is saved) counts from zero again.
document.addEventListener("reset", (event) => setTimeout(() => updateCounts(event.target), 0), true);

// --- save states (`form[data-save-state]` and its `[data-save-state-text]`) -------------------

function setSaveState(form, text, state) {
  const slot = form?.querySelector("[data-save-state-text]");
  if (!slot) return;
  slot.textContent = text;
  slot.dataset.state = state;
}

document.addEventListener("input", (event) => {
  const form = event.target instanceof Element ? event.target.closest("form[data-save-state]") : null;
  if (form) setSaveState(form, "Changes not saved yet.", "dirty");
});

document.addEventListener("htmx:before:request", (event) => {
  if (event.target instanceof HTMLFormElement && event.target.hasAttribute("data-save-state")) {
    setSaveState(event.target, "Saving…", "saving");
  }
});

document.addEventListener("htmx:after:request", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-save-state")) return;
  const status = event.detail?.ctx?.response?.status ?? 0;
  if (status >= 200 && status < 300) {
    setSaveState(form, form.id === "goal-form" ? "Saved. Opening your contract…" : "Saved.", "saved");
  } else {
    setSaveState(form, "Not saved: see the messages beside the fields.", "error");
  }
});

// --- the example contract (`[data-fill-example="<form id>"]` with `data-example` JSON) ---------

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-fill-example]") : null;
  const form = button && document.getElementById(button.dataset.fillExample);
  if (!form) return;
  const example = JSON.parse(button.dataset.example || "{}");
  const fields = Object.keys(example).map((name) => [form.elements.namedItem(name), example[name]])
    .filter(([field]) => field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement);
  const written = fields.some(([field, value]) => field.value.trim() !== "" && field.value !== String(value));
  if (written && !window.confirm("Replace what you have written with the example?")) return;
  for (const [field, value] of fields) {
    field.value = String(value);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }
  setSaveState(form, "Example filled in: make it yours, then save.", "dirty");
  const title = form.elements.namedItem("title");
  if (title instanceof HTMLElement) {
    title.focus();
    title.select?.();
  }
});

// --- plan steps: move with Alt+ArrowUp/Down, keep focus on the moved step ---------------------

let pendingMove = null;

function announce(text) {
  const region = document.getElementById("goal-announce");
  if (!region) return;
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 50);
}

document.addEventListener("keydown", (event) => {
  if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
  const item = event.target instanceof Element ? event.target.closest("[data-plan-item]") : null;
  if (!item) return;
  event.preventDefault();
  const button = item.querySelector(`[data-move="${event.key === "ArrowUp" ? "up" : "down"}"]`);
  if (!button || button.disabled) return;
  pendingMove = { itemId: item.id, focusId: event.target.id, before: item };
  button.click();
});

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-move]") : null;
  const item = button?.closest("[data-plan-item]");
  if (!item) return;
  if (!pendingMove || pendingMove.itemId !== item.id) {
    pendingMove = { itemId: item.id, focusId: button.id, before: item };
  }
}, true);

function settleMove() {
  if (!pendingMove) return;
  const { itemId, focusId, before } = pendingMove;
  const item = document.getElementById(itemId);
  if (!item || item === before) return; // the plan has not been swapped in yet
  pendingMove = null;
  const wanted = document.getElementById(focusId);
  const target = wanted && item.contains(wanted) && !wanted.disabled
    ? wanted : item.querySelector("[data-plan-focus]") || item.querySelector("button:not([disabled])");
  if (target && document.activeElement !== target) target.focus();
  const items = [...item.parentElement.querySelectorAll(":scope > [data-plan-item]")];
  const title = item.querySelector(".plan-title")?.textContent.trim() ?? "";
  announce(`Moved “${title}” to step ${items.indexOf(item) + 1} of ${items.length}.`);
}

// --- after any swap: counts, kind panels, and focus for a region that replaced the focused
// control (a saved contract part focuses its "Saved" note) ---------------------------------

document.addEventListener("htmx:after:settle", () => {
  updateCounts();
  showKindPanels();
  settleMove();
  const note = document.querySelector("[data-focus-after-swap]");
  if (note) {
    note.removeAttribute("data-focus-after-swap");
    const lost = !document.activeElement || document.activeElement === document.body;
    if (lost) note.focus();
    announce(note.textContent.replace(/\s+/g, " ").trim());
  }
});

// --- the step-kind chooser (`[data-kind-choice]` radios show `[data-kind-panel]`) -------------

function showKindPanels() {
  document.querySelectorAll("[data-plan-add]").forEach((box) => {
    const chosen = box.querySelector("[data-kind-choice]:checked")?.value;
    box.querySelectorAll("[data-kind-panel]").forEach((panel) => {
      panel.hidden = chosen !== undefined && panel.dataset.kindPanel !== chosen;
    });
  });
}

document.addEventListener("change", (event) => {
  if (event.target instanceof HTMLInputElement && event.target.hasAttribute("data-kind-choice")) showKindPanels();
});

// --- pickers: once a picked result was added (or suggested), start the search over -----------

document.addEventListener("htmx:after:request", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-picked]") : null;
  const status = event.detail?.ctx?.response?.status ?? 0;
  if (!button || status < 200 || status >= 300) return;
  const picker = button.closest("[data-picker]");
  const title = button.closest("li")?.querySelector(".pick-label strong")?.textContent ?? "";
  const suggested = button.getAttribute("hx-post")?.endsWith("/suggestions");
  const note = suggested ? button.closest(".suggest")?.querySelector("[name=note]") : null;
  setTimeout(() => {
    const input = picker?.querySelector("input[type=search]");
    const results = picker?.querySelector(".pick-results-box");
    if (results) results.replaceChildren();
    if (note) note.value = "";
    if (input) {
      input.value = "";
      input.focus();
    }
    announce(suggested ? `Suggested “${title}”.` : `Added “${title}” to the plan.`);
  }, 0);
});

document.addEventListener("DOMContentLoaded", () => {
  updateCounts();
  showKindPanels();
});
