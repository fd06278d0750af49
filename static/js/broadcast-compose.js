// The compose form's submit button says what pressing it will do: save a draft, or go
// on to the confirmation of sending now or scheduling (which names the recipients).
(function () {
  "use strict";
  const form = document.getElementById("broadcast-form");
  const button = document.getElementById("save-broadcast");
  if (!form || !button) return;
  function update() {
    const chosen = form.querySelector('input[name="send"]:checked');
    const label = chosen && button.dataset["label" + chosen.value.charAt(0).toUpperCase() + chosen.value.slice(1)];
    if (label) button.textContent = label;
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "send") update();
  });
  update();
})();

// Picking a template puts its body in the message box (still editable); the counter
// and the preview follow through the usual input event.
(function () {
  "use strict";
  document.querySelectorAll("select[data-template-target]").forEach(function (select) {
    const box = document.querySelector(select.dataset.templateTarget);
    if (!box) return;
    select.addEventListener("change", function () {
      const option = select.options[select.selectedIndex];
      if (!option || !option.dataset.body) return;
      box.value = option.dataset.body;
      box.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });
})();
