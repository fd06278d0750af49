// Show only the parameters of the chosen analysis type.
(function () {
  const type = document.getElementById("id_analysis_type");
  if (!type) return;
  const sync = () => {
    document.querySelectorAll("fieldset.params").forEach((set) => {
      set.hidden = set.dataset.for !== type.value;
    });
  };
  type.addEventListener("change", sync);
  sync();
})();
