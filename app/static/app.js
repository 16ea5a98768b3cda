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
