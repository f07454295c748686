// A checkbox with data-select-all="<name>" ticks or clears every checkbox named <name> in its form.
document.addEventListener("change", (event) => {
  const all = event.target.closest("input[data-select-all]");
  if (!all) return;
  const boxes = all.form.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`);
  boxes.forEach((box) => { box.checked = all.checked; });
});
