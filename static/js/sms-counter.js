// SMS length and segments, the same rules as core/segments.py (a test compares
// the alphabet and limits of both). Usage:
//   SmsCounter.count("Hello") -> {encoding, characters, segments, perSegment, remaining, channel}
//   SmsCounter.problem(info, maxSegments) -> why the text cannot be sent, or ""
//   <textarea data-sms-counter="#target" data-max-segments="10"> fills #target with
//   "N characters left · M of 10 segments" (and, for UCS-2, a plain-words note that
//   each part then holds 70 characters instead of 160); past the limit it refuses more typing and
//   marks the textarea invalid, so its form cannot be submitted. The server
//   (messaging.services.body_check) remains the rule; this only saves a round trip.
(function () {
  "use strict";
  const GSM7_BASIC =
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  const GSM7_EXTENSION = "^{}\\[~]|€\f";
  const GSM7_SINGLE = 160;
  const GSM7_PART = 153;
  const UCS2_SINGLE = 70;
  const UCS2_PART = 67;
  const MMS_TEXT_LIMIT = 1600;
  // settings.SMS_MAX_SEGMENTS by default; pages pass the configured one as data-max-segments.
  const MAX_SEGMENTS = 10;

  const basic = new Set(Array.from(GSM7_BASIC));
  const extension = new Set(Array.from(GSM7_EXTENSION));

  function count(body, hasMedia) {
    const chars = Array.from(body || ""); // code points, like Python's str
    const gsm = chars.every((ch) => basic.has(ch) || extension.has(ch));
    const units = chars.map((ch) =>
      gsm ? (extension.has(ch) ? 2 : 1) : ch.codePointAt(0) > 0xffff ? 2 : 1
    );
    const characters = units.reduce((a, b) => a + b, 0);
    const encoding = gsm ? "GSM-7" : "UCS-2";
    if (hasMedia) {
      return {
        encoding, characters, segments: 1, perSegment: MMS_TEXT_LIMIT,
        remaining: Math.max(MMS_TEXT_LIMIT - characters, 0), channel: "mms",
      };
    }
    const single = gsm ? GSM7_SINGLE : UCS2_SINGLE;
    const part = gsm ? GSM7_PART : UCS2_PART;
    if (characters <= single) {
      return {
        encoding, characters, segments: 1, perSegment: single,
        remaining: single - characters, channel: "sms",
      };
    }
    // Fill parts without splitting an escape pair or a surrogate pair.
    let parts = 1;
    let used = 0;
    for (const cost of units) {
      if (used + cost > part) {
        parts += 1;
        used = 0;
      }
      used += cost;
    }
    return {
      encoding, characters, segments: parts, perSegment: part,
      remaining: part - used, channel: "sms",
    };
  }

  // The same messages as core/segments.py segment_limit_problem.
  function problem(info, maxSegments) {
    const limit = maxSegments || MAX_SEGMENTS;
    if (info.channel === "mms") {
      if (info.characters <= MMS_TEXT_LIMIT) return "";
      return "A picture message's text can be at most " + MMS_TEXT_LIMIT +
        " characters (this one has " + info.characters + ").";
    }
    if (info.segments <= limit) return "";
    return "This message is " + info.segments + " segments long; at most " + limit +
      " segments can be sent as one message. Shorten it.";
  }

  // Why a short text suddenly costs more: one emoji or character outside GSM-7 switches
  // the whole text to UCS-2, where a part holds far fewer characters.
  function encodingNote(info) {
    if (info.channel !== "sms" || info.encoding !== "UCS-2") return "";
    const [ucs2, gsm] = info.segments > 1 ? [UCS2_PART, GSM7_PART] : [UCS2_SINGLE, GSM7_SINGLE];
    return "Emoji or special characters: each message part holds " + ucs2 +
      " characters instead of " + gsm + ".";
  }

  function describe(info, maxSegments) {
    const limit = maxSegments || MAX_SEGMENTS;
    if (info.channel === "mms") {
      return info.remaining + " characters left · picture message · " + info.encoding;
    }
    const seg = info.segments + " of " + limit + " segments";
    const note = encodingNote(info);
    return info.remaining + " characters left · " + seg + " · " + info.encoding +
      (note ? " · " + note : "");
  }

  function maxSegmentsOf(textarea) {
    const value = parseInt(textarea.dataset.maxSegments || "", 10);
    return value > 0 ? value : MAX_SEGMENTS;
  }

  function bind(textarea) {
    const target = document.querySelector(textarea.dataset.smsCounter);
    if (!target || textarea.dataset.smsCounterBound) return;
    textarea.dataset.smsCounterBound = "1";
    const limit = maxSegmentsOf(textarea);
    const measure = (value) => count(value, textarea.dataset.hasMedia === "true");
    const update = () => {
      const info = measure(textarea.value);
      const refusal = problem(info, limit);
      target.textContent = refusal || describe(info, limit);
      target.dataset.segments = String(info.segments);
      target.dataset.maxSegments = String(limit);
      target.dataset.remaining = String(info.remaining);
      target.dataset.encoding = info.encoding;
      target.classList.toggle("over-limit", Boolean(refusal));
      // An invalid field blocks form.requestSubmit(), the Send button and htmx's submit.
      textarea.setCustomValidity(refusal);
      textarea.setAttribute("aria-invalid", refusal ? "true" : "false");
    };
    // Refuse typing or pasting that would go past the limit (deleting is always allowed).
    textarea.addEventListener("beforeinput", (event) => {
      if (!event.inputType || !event.inputType.startsWith("insert")) return;
      const added = event.data != null ? event.data
        : (event.dataTransfer && event.dataTransfer.getData("text/plain")) ||
          (event.inputType === "insertLineBreak" ? "\n" : "");
      const value = textarea.value;
      const next = value.slice(0, textarea.selectionStart) + added +
        value.slice(textarea.selectionEnd);
      if (problem(measure(next), limit) && !problem(measure(value), limit)) {
        event.preventDefault();
      }
    });
    textarea.addEventListener("input", update);
    update();
  }

  function bindAll(root) {
    (root || document).querySelectorAll("textarea[data-sms-counter]").forEach(bind);
  }

  window.SmsCounter = {
    count, describe, encodingNote, problem, bind, bindAll, GSM7_BASIC, GSM7_EXTENSION, MAX_SEGMENTS,
  };
  document.addEventListener("DOMContentLoaded", () => bindAll(document));
  document.addEventListener("htmx:load", (event) => bindAll(event.target));
})();
