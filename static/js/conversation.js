// Inbox conversations in the chat window: tell the others when this agent is typing
// (the bar's presence poll carries #chat-typing), and canned responses: "/" in the
// chat box (or the "/ Canned" button) opens the list; arrows choose, Enter inserts,
// Escape closes. The text typed after "/" narrows the list by name.
(function () {
  "use strict";
  const TYPING_MS = 3000;
  let typingTimer = null;

  function setTyping(on) {
    const flag = document.getElementById("chat-typing");
    if (!flag) return;
    const was = flag.value === "1";
    flag.value = on ? "1" : "0";
    // Say it at once rather than at the next poll, so the other agent sees it quickly.
    if (on !== was && window.htmx) window.htmx.trigger(document.body, "presence-now");
  }

  // --- canned responses ---------------------------------------------------------------
  let slashStart = -1; // where the "/" that opened the list sits in the text, or -1

  const parts = () => ({
    box: document.getElementById("chat-body"),
    popup: document.getElementById("canned-popup"),
    list: document.getElementById("canned-list"),
    toggle: document.getElementById("canned-toggle"),
    announce: document.getElementById("canned-announce"),
  });

  const options = (list) => [...list.querySelectorAll("li[role=option]:not([hidden])")];

  function isOpen() {
    const { popup } = parts();
    return popup && !popup.hidden;
  }

  function highlight(option) {
    const { box, list } = parts();
    list.querySelectorAll("li[role=option]").forEach((li) => li.setAttribute("aria-selected", "false"));
    if (option) {
      option.setAttribute("aria-selected", "true");
      option.scrollIntoView({ block: "nearest" });
      box.setAttribute("aria-activedescendant", option.id);
    } else {
      box.removeAttribute("aria-activedescendant");
    }
  }

  function filter(query) {
    const { list, announce } = parts();
    const q = query.toLowerCase();
    list.querySelectorAll("li[role=option]").forEach((li) => {
      li.hidden = q !== "" && !li.dataset.cannedName.includes(q);
    });
    const shown = options(list);
    highlight(shown[0] || null);
    if (announce) {
      announce.textContent = shown.length
        ? `${shown.length} canned response${shown.length === 1 ? "" : "s"}: arrows to choose, Enter to insert`
        : "No canned response matches";
    }
  }

  function open(start) {
    const { popup, toggle } = parts();
    if (!popup) return;
    slashStart = start;
    popup.hidden = false;
    if (toggle) toggle.setAttribute("aria-expanded", "true");
    filter("");
  }

  function close() {
    const { box, popup, toggle } = parts();
    if (!popup) return;
    popup.hidden = true;
    slashStart = -1;
    if (toggle) toggle.setAttribute("aria-expanded", "false");
    if (box) box.removeAttribute("aria-activedescendant");
  }

  function insert(option) {
    const { box } = parts();
    if (!box || !option) return;
    const caret = box.selectionStart ?? box.value.length;
    const from = slashStart >= 0 ? slashStart : caret;
    const text = option.dataset.cannedBody;
    box.value = box.value.slice(0, from) + text + box.value.slice(caret);
    const pos = from + text.length;
    close();
    box.focus();
    box.setSelectionRange(pos, pos);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function queryText(box) {
    return box.value.slice(slashStart + 1, box.selectionStart ?? box.value.length);
  }

  document.addEventListener("input", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || box.id !== "chat-body") return;
    setTyping(box.value.trim() !== "");
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => setTyping(false), TYPING_MS);
    const caret = box.selectionStart ?? box.value.length;
    if (isOpen()) {
      const query = slashStart >= 0 ? queryText(box) : "";
      // The "/" was deleted, or a space ended the word: the list closes.
      if (slashStart >= 0 && (caret <= slashStart || box.value[slashStart] !== "/" || /\s/.test(query))) {
        close();
      } else {
        filter(query);
      }
      return;
    }
    // "/" at the start of the box or after a space opens the list.
    const before = box.value.slice(0, caret);
    if (before.endsWith("/") && (before.length === 1 || /\s/.test(before[before.length - 2]))) {
      open(caret - 1);
    }
  });

  // Capture phase: these keys belong to the list while it is open, before the chat's
  // own Enter-to-send handler sees them.
  document.addEventListener(
    "keydown",
    (event) => {
      const box = event.target;
      if (!(box instanceof HTMLTextAreaElement) || box.id !== "chat-body" || !isOpen()) return;
      const { list } = parts();
      const shown = options(list);
      const current = shown.findIndex((li) => li.getAttribute("aria-selected") === "true");
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!shown.length) return;
        const step = event.key === "ArrowDown" ? 1 : -1;
        highlight(shown[(current + step + shown.length) % shown.length]);
      } else if (event.key === "Enter" || event.key === "Tab") {
        if (current < 0) {
          if (event.key === "Enter") close();
          return;
        }
        event.preventDefault();
        event.stopImmediatePropagation();
        insert(shown[current]);
      } else if (event.key === "Escape") {
        // Close the list, not the chat window (the dialog's cancel).
        event.preventDefault();
        event.stopImmediatePropagation();
        close();
      }
    },
    true,
  );

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-canned-toggle]");
    if (toggle) {
      if (isOpen()) {
        close();
      } else {
        const { box } = parts();
        open(-1);
        if (box) box.focus();
      }
      return;
    }
    const option = event.target.closest("#canned-list li[role=option]");
    if (option) {
      insert(option);
      return;
    }
    if (isOpen() && !event.target.closest("#canned-popup") && event.target.id !== "chat-body") close();
  });

  // A sent message: no longer typing.
  document.body.addEventListener("chat-sent", () => {
    clearTimeout(typingTimer);
    const flag = document.getElementById("chat-typing");
    if (flag) flag.value = "0";
    close();
  });
})();
