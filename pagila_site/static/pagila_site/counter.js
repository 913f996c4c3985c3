// The counter without a mouse: arrow keys walk the customer matches, the cursor lands where the
// page says (also where a browser ignores autofocus on a link), the receipt's and the hold slip's
// Print button, and Enter on a store list submits its form (a browser submits only from a box).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const printButton = document.querySelector("[data-print]");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", () => window.print());
  }

  document.querySelectorAll("select[data-enter-submits]").forEach((select) => {
    select.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      select.form.requestSubmit();
    });
  });

  const wanted = document.querySelector("#counter [autofocus], .receipt-actions [autofocus]");
  if (wanted && document.activeElement !== wanted) wanted.focus();

  const results = document.getElementById("customer-results");
  if (results) {
    results.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      const links = Array.from(results.querySelectorAll("a"));
      const at = links.indexOf(document.activeElement);
      if (at < 0) return;
      const next = links[at + (event.key === "ArrowDown" ? 1 : -1)];
      if (next) next.focus();
      event.preventDefault();
    });
  }
});
