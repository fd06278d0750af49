// Profiles table: the Filters pane and the rows-per-page choice.
// The pane is a modal <dialog>: showModal() moves focus into it, keeps Tab inside it and
// closes it on Escape; closing hands focus back to the Filter button.
(() => {
  const pane = document.getElementById("filters-pane");
  const toggle = document.getElementById("filter-toggle");
  if (pane && toggle) {
    const open = () => {
      pane.showModal();
      toggle.setAttribute("aria-expanded", "true");
      const first = pane.querySelector(".drawer-body input:not([type=hidden]), .drawer-body select");
      if (first) first.focus();
    };
    toggle.addEventListener("click", () => (pane.open ? pane.close() : open()));
    pane.addEventListener("close", () => {
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    });
    pane.querySelectorAll("[data-close-filters]").forEach((b) => b.addEventListener("click", () => pane.close()));
    // A click on the backdrop (outside the pane's box) closes it, as on any sheet.
    pane.addEventListener("click", (event) => {
      if (event.target !== pane) return;
      const box = pane.getBoundingClientRect();
      const inside = event.clientX >= box.left && event.clientX <= box.right &&
        event.clientY >= box.top && event.clientY <= box.bottom;
      if (!inside) pane.close();
    });
  }
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
})();
