// Small behaviours shared by every page. Page-specific code lives next to its template.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
});

// The Content-Security-Policy allows no inline script, event handler or style attribute,
// so the small behaviours that used to be written inline in templates live here, keyed
// on data attributes. Content swapped in by htmx fires htmx:load, so it is set up too.

// <select data-autosubmit>: choosing an option submits its form (the company switch).
document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-autosubmit]");
  if (select && select.form) select.form.requestSubmit();
});

// <form data-go-to-selected="field">: the chosen option's value is the page to open.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-go-to-selected]");
  if (!form) return;
  const field = form.elements.namedItem(form.dataset.goToSelected);
  if (field && field.value) {
    event.preventDefault();
    window.location.href = field.value;
  }
});

// <a data-history-back href="fallback">: back to the previous page when there is one.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-history-back]");
  if (link && window.history.length > 1 && document.referrer) {
    event.preventDefault();
    window.history.back();
  }
});

// <textarea data-count-into="id" data-maxlength="n">: a live "used / max" counter.
function showCount(box) {
  const out = document.getElementById(box.dataset.countInto);
  if (!out) return;
  const max = Number(box.dataset.maxlength);
  out.textContent = `${box.value.length} / ${max}`;
  out.classList.toggle("over", box.value.length > max);
}
document.addEventListener("input", (event) => {
  const box = event.target.closest("[data-count-into]");
  if (box) showCount(box);
});

// <span data-progress="42">: a progress bar's width (style attributes are not allowed).
function setUp(root) {
  const scope = root && root.querySelectorAll ? root : document;
  const self = scope instanceof Element ? [scope] : [];
  for (const bar of [...self, ...scope.querySelectorAll("[data-progress]")]) {
    if (!bar.matches("[data-progress]")) continue;
    const value = Math.max(0, Math.min(100, Number(bar.dataset.progress) || 0));
    bar.style.width = `${value}%`;
  }
  for (const box of [...self, ...scope.querySelectorAll("[data-count-into]")]) {
    if (box.matches("[data-count-into]")) showCount(box);
  }
}
setUp(document);
document.addEventListener("htmx:load", (event) => setUp(event.target));
