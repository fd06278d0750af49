// Inbox: the chat drawer (close, Enter to send, emoji palette and :shortcode:
// conversion, keeping the log scrolled to the newest message).
(function () {
  "use strict";
  const script = document.getElementById("inbox-script");
  const emojiUrl = script ? script.dataset.emojiUrl : null;
  const inboxUrl = script ? script.dataset.inboxUrl : "/inbox/";
  let aliases = null;
  let aliasesLoading = null;

  function loadAliases() {
    if (aliases || !emojiUrl) return Promise.resolve(aliases);
    if (!aliasesLoading) {
      aliasesLoading = fetch(emojiUrl, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : {}))
        .then((data) => (aliases = data))
        .catch(() => (aliases = {}));
    }
    return aliasesLoading;
  }

  // Replace complete :name: shortcodes, keeping the caret where the user was typing.
  function convertShortcodes(textarea) {
    if (!aliases) return false;
    const value = textarea.value;
    const caret = textarea.selectionStart;
    let shift = 0;
    let changed = false;
    const result = value.replace(/:([a-z0-9_+\-]+):/gi, (match, name, offset) => {
      const char = aliases[name] || aliases[name.toLowerCase()];
      if (!char) return match;
      changed = true;
      if (offset + match.length <= caret) shift += match.length - char.length;
      return char;
    });
    if (changed) {
      textarea.value = result;
      const pos = Math.max(caret - shift, 0);
      textarea.setSelectionRange(pos, pos);
    }
    return changed;
  }

  function insertAtCaret(textarea, text) {
    const start = textarea.selectionStart ?? textarea.value.length;
    const end = textarea.selectionEnd ?? start;
    textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
    const pos = start + text.length;
    textarea.setSelectionRange(pos, pos);
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function closeDrawer() {
    const slot = document.getElementById("drawer-slot");
    if (slot) slot.innerHTML = "";
    if (window.location.pathname.indexOf("/inbox/chat/") === 0) {
      window.history.pushState({}, "", inboxUrl);
    }
  }

  document.addEventListener("input", (event) => {
    const textarea = event.target;
    if (!(textarea instanceof HTMLTextAreaElement) || !textarea.hasAttribute("data-emoji-convert")) return;
    if (convertShortcodes(textarea)) {
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });

  document.addEventListener("focusin", (event) => {
    if (event.target instanceof HTMLTextAreaElement && event.target.hasAttribute("data-emoji-convert")) {
      loadAliases();
    }
  });

  document.addEventListener("keydown", (event) => {
    const textarea = event.target;
    if (!(textarea instanceof HTMLTextAreaElement) || !textarea.hasAttribute("data-enter-submits")) return;
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (textarea.value.trim() && textarea.form) textarea.form.requestSubmit();
    }
  });

  document.addEventListener("click", (event) => {
    const close = event.target.closest("[data-drawer-close]");
    if (close) {
      closeDrawer();
      return;
    }
    const toggle = event.target.closest("[data-emoji-toggle]");
    if (toggle) {
      const palette = document.querySelector(toggle.dataset.emojiToggle);
      if (palette) {
        palette.hidden = !palette.hidden;
        toggle.setAttribute("aria-expanded", String(!palette.hidden));
      }
      return;
    }
    const pick = event.target.closest("[data-emoji]");
    if (pick) {
      const textarea = pick.closest("form").querySelector("textarea");
      if (textarea && !textarea.disabled) insertAtCaret(textarea, pick.dataset.emoji);
      return;
    }
    // Clicking a row-menu item closes the menu.
    const item = event.target.closest(".row-menu .menu-items a");
    if (item) item.closest("details").removeAttribute("open");
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.getElementById("chat-drawer")) closeDrawer();
  });

  // Keep the chat log at the newest message unless the agent scrolled up to read.
  let stickToBottom = true;
  document.addEventListener("htmx:beforeSwap", (event) => {
    const log = event.detail.target;
    if (log && log.id === "chat-log") {
      stickToBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 60;
    }
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    const log = event.detail.target;
    if (log && log.id === "chat-log" && stickToBottom) log.scrollTop = log.scrollHeight;
    if (log && log.id === "drawer-slot") {
      const chatLog = document.getElementById("chat-log");
      if (chatLog) chatLog.scrollTop = chatLog.scrollHeight;
      const textarea = log.querySelector("textarea:not([disabled])");
      if (textarea) textarea.focus();
    }
  });

  document.body.addEventListener("chat-sent", () => {
    const textarea = document.getElementById("chat-body");
    if (textarea) {
      textarea.value = "";
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      textarea.focus();
    }
    stickToBottom = true;
  });

  document.addEventListener("DOMContentLoaded", () => {
    const chatLog = document.getElementById("chat-log");
    if (chatLog) chatLog.scrollTop = chatLog.scrollHeight;
  });
})();
