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
// A wide table scrolls sideways inside its own box, never the page. A box that does
// scroll is a labelled, focusable region, so keyboard users can scroll it with the arrows.
function labelOf(table) {
  const caption = table.querySelector("caption");
  if (caption) return caption.textContent.trim();
  const card = table.closest("section, .card, .tab-panel");
  const heading = card && card.querySelector("h1, h2, h3, .drawer-title");
  return heading ? heading.textContent.trim() : "Table";
}
function scrollBoxOf(table) {
  const box = table.parentElement;
  if (box.matches(".table-scroll, .table-container")) return box;
  const wrapper = document.createElement("div");
  wrapper.className = "table-scroll";
  table.before(wrapper);
  wrapper.append(table);
  return wrapper;
}
function markScrolling(box) {
  const scrolls = box.scrollWidth > box.clientWidth + 1;
  if (scrolls) {
    box.setAttribute("role", "region");
    box.setAttribute("tabindex", "0");
    box.setAttribute("aria-label", labelOf(box.querySelector("table")));
  } else if (box.hasAttribute("tabindex")) {
    box.removeAttribute("role");
    box.removeAttribute("tabindex");
    box.removeAttribute("aria-label");
  }
}
function fitTables(root) {
  const scope = root && root.querySelectorAll ? root : document;
  const tables = [...(scope.matches?.("table.table") ? [scope] : []), ...scope.querySelectorAll("table.table")];
  for (const table of tables) {
    // Tables that stack their cells on a phone (the inbox) have row menus to show.
    if (table.closest(".stack-on-phone") || table.matches(".stack-on-phone")) continue;
    markScrolling(scrollBoxOf(table));
  }
}
let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => document.querySelectorAll(".table-scroll, .table-container").forEach(markScrolling), 100);
});

setUp(document);
fitTables(document);
// A table inside a closed <details> has no width until it opens: measure it then.
document.addEventListener("toggle", (event) => {
  if (event.target instanceof HTMLDetailsElement && event.target.open) fitTables(event.target);
}, true);
document.addEventListener("htmx:load", (event) => {
  setUp(event.target);
  fitTables(event.target);
});

// The main menu: below 900 px the sidebar is an off-canvas panel behind the Menu button.
(() => {
  const toggle = document.getElementById("nav-toggle");
  const shell = document.getElementById("shell");
  const sidebar = document.getElementById("sidebar");
  if (!toggle || !shell || !sidebar) return;
  const setOpen = (open, returnFocus) => {
    shell.classList.toggle("nav-open", open);
    toggle.setAttribute("aria-expanded", String(open));
    if (open) {
      const first = sidebar.querySelector("a");
      if (first) first.focus();
    } else if (returnFocus) {
      toggle.focus();
    }
  };
  toggle.addEventListener("click", () => setOpen(!shell.classList.contains("nav-open"), false));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && shell.classList.contains("nav-open")) setOpen(false, true);
  });
  // A tap outside the open menu closes it.
  document.addEventListener("click", (event) => {
    if (!shell.classList.contains("nav-open")) return;
    if (sidebar.contains(event.target) || toggle.contains(event.target)) return;
    setOpen(false, false);
  });
  // Tabbing out of the open menu closes it.
  sidebar.addEventListener("focusout", (event) => {
    if (!shell.classList.contains("nav-open")) return;
    if (event.relatedTarget && !sidebar.contains(event.relatedTarget) && event.relatedTarget !== toggle) {
      setOpen(false, false);
    }
  });
})();

// Menus made of <details> (row menus, Actions): Escape closes the open one and puts focus
// back on its button; opening one closes any other.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const menu = event.target.closest?.("details[open]") || document.querySelector("details.row-menu[open], details.actions-menu[open], details.menu[open]");
  if (!menu || menu.closest("dialog")) return;
  menu.removeAttribute("open");
  menu.querySelector("summary").focus();
});
document.addEventListener("toggle", (event) => {
  const menu = event.target;
  if (!(menu instanceof HTMLDetailsElement) || !menu.open || !menu.matches(".row-menu, .actions-menu, .menu")) return;
  document.querySelectorAll("details.row-menu[open], details.actions-menu[open], details.menu[open]").forEach((other) => {
    if (other !== menu) other.removeAttribute("open");
  });
}, true);

// An htmx swap that replaces the control the user pressed (the profile's tabs) puts focus
// back on the new copy of it instead of leaving it on <body>.
let pressed = null;
document.addEventListener("htmx:beforeRequest", (event) => {
  const elt = event.detail.elt;
  const target = event.detail.target;
  pressed = null;
  if (!target || !target.contains(elt)) return;
  if (elt.id) pressed = { target: target.id, selector: `#${CSS.escape(elt.id)}` };
  else if (elt.dataset.tab) pressed = { target: target.id, selector: `a[data-tab="${CSS.escape(elt.dataset.tab)}"]` };
});
document.addEventListener("htmx:afterSettle", (event) => {
  if (!pressed || !event.detail.target || event.detail.target.id !== pressed.target) return;
  const again = document.querySelector(pressed.selector);
  pressed = null;
  if (again && (document.activeElement === document.body || !document.activeElement)) again.focus();
});
