// SMS length and segments, the same rules as messaging/segments.py (a test compares
// the alphabet and limits of both). Usage:
//   SmsCounter.count("Hello") -> {encoding, characters, segments, perSegment, remaining, channel}
//   <textarea data-sms-counter="#target"> fills #target with "N characters left · M segments".
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

  function describe(info) {
    const seg = info.segments === 1 ? "1 segment" : info.segments + " segments";
    return info.remaining + " characters left · " + seg + " · " + info.encoding;
  }

  function bind(textarea) {
    const target = document.querySelector(textarea.dataset.smsCounter);
    if (!target || textarea.dataset.smsCounterBound) return;
    textarea.dataset.smsCounterBound = "1";
    const update = () => {
      const info = count(textarea.value, textarea.dataset.hasMedia === "true");
      target.textContent = describe(info);
      target.dataset.segments = String(info.segments);
      target.dataset.remaining = String(info.remaining);
      target.dataset.encoding = info.encoding;
    };
    textarea.addEventListener("input", update);
    update();
  }

  function bindAll(root) {
    (root || document).querySelectorAll("textarea[data-sms-counter]").forEach(bind);
  }

  window.SmsCounter = { count, describe, bind, bindAll, GSM7_BASIC, GSM7_EXTENSION };
  document.addEventListener("DOMContentLoaded", () => bindAll(document));
  document.addEventListener("htmx:load", (event) => bindAll(event.target));
})();
