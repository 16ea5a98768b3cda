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
