// Rule editor (Django admin): show only the parameters of the action chosen in each row, and
// hide the value box for "is empty". Without JavaScript every parameter stays visible.
(function () {
  function syncAction(row) {
    var select = row.querySelector("select[name$='_action']");
    row.querySelectorAll(".rule-params").forEach(function (block) {
      block.hidden = block.dataset.action !== select.value;
    });
  }
  function syncCondition(row) {
    var op = row.querySelector("select[name$='_op']");
    var value = row.querySelector("input[name$='_value']");
    if (op && value) { value.hidden = op.value === "is_empty"; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    // Only the chosen action's fields show: the note naming their action is not needed.
    document.querySelectorAll(".rule-params-for").forEach(function (note) { note.hidden = true; });
    document.querySelectorAll(".rule-action").forEach(function (row) {
      syncAction(row);
      row.querySelector("select[name$='_action']").addEventListener("change", function () { syncAction(row); });
    });
    document.querySelectorAll(".rule-condition").forEach(function (row) {
      syncCondition(row);
      row.addEventListener("change", function () { syncCondition(row); });
    });
  });
})();
