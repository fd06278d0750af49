// Profiles table: the Filters pane and the rows-per-page choice.
(() => {
  const pane = document.getElementById("filters-pane");
  const toggle = document.getElementById("filter-toggle");
  const setOpen = (open) => {
    if (!pane || !toggle) return;
    pane.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
  };
  toggle?.addEventListener("click", () => setOpen(pane.hidden));
  document.querySelectorAll("[data-close-filters]").forEach((b) => b.addEventListener("click", () => setOpen(false)));
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") setOpen(false); });
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
})();
