// Opt-in path steps: show only the fields of the chosen kind of step.
// Without this script every field shows; the server ignores the ones a kind does not use.
(function () {
  document.querySelectorAll("form[data-step-form]").forEach((form) => {
    const kind = form.querySelector("[data-step-kind]");
    if (!kind) return;
    const sync = () => {
      form.querySelectorAll("[data-for-kind]").forEach((row) => {
        row.hidden = !row.dataset.forKind.split(" ").includes(kind.value);
      });
    };
    kind.addEventListener("change", sync);
    sync();
  });
})();
