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

  // The chat and "Message this profile" drawers are modal <dialog>s: showModal() moves
  // focus into them and keeps Tab inside; Escape (the dialog's cancel) or Close empties
  // the slot and hands focus back to the row's Menu button that opened them.
  let opener = null;

  function closeDrawer() {
    const slot = document.getElementById("drawer-slot");
    if (!slot || !slot.firstElementChild) return;
    const dialog = slot.querySelector("dialog[data-drawer]");
    slot.innerHTML = "";
    if (dialog && dialog.open) dialog.close();
    if (window.location.pathname.indexOf("/inbox/chat/") === 0) {
      window.history.pushState({}, "", inboxUrl);
    }
    const back = opener && opener.isConnected ? opener : document.querySelector(".row-menu summary");
    if (back) back.focus();
    opener = null;
  }

  function showDrawer(slot) {
    const dialog = slot && slot.querySelector("dialog[data-drawer]");
    if (!dialog || dialog.open) return;
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      closeDrawer();
    });
    dialog.showModal();
    const chatLog = document.getElementById("chat-log");
    if (chatLog) chatLog.scrollTop = chatLog.scrollHeight;
    const textarea = dialog.querySelector("textarea:not([disabled])");
    (textarea || dialog.querySelector("[data-drawer-close]")).focus();
  }

  // Remember what opened a drawer: a row-menu item hides with its menu, so its Menu button.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const slot = event.detail.target;
    if (!slot || slot.id !== "drawer-slot" || slot.contains(event.detail.elt)) return;
    const menu = event.detail.elt.closest("details");
    opener = menu ? menu.querySelector("summary") : event.detail.elt;
  });

  // New incoming replies are announced once each; the polling that finds them is silent.
  let seenReplies = null;
  function announceReplies() {
    const log = document.getElementById("chat-log");
    const out = document.getElementById("chat-announce");
    if (!log || !out) return;
    const replies = [...log.querySelectorAll(".chat-mo[data-message-id]")];
    const ids = new Set(replies.map((m) => m.dataset.messageId));
    if (seenReplies) {
      const fresh = replies.filter((m) => !seenReplies.has(m.dataset.messageId));
      if (fresh.length) {
        const texts = fresh.map((m) => m.querySelector(".chat-bubble").textContent.trim());
        out.textContent = `New reply: ${texts.join(" · ")}`;
      }
    }
    seenReplies = ids;
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
    if (log && log.id === "chat-log") {
      if (stickToBottom) log.scrollTop = log.scrollHeight;
      announceReplies();
    }
    if (log && log.id === "drawer-slot") {
      seenReplies = null;
      announceReplies();
      showDrawer(log);
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

  // A chat opened by its own address (/inbox/chat/<id>/) is open when the page loads.
  const start = () => {
    announceReplies();
    showDrawer(document.getElementById("drawer-slot"));
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
