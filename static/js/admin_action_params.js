// Django admin: in a row with an action select (SLA escalation steps), show only the parameter
// fields of the chosen action. Without this script every action's fields stay visible, each
// labelled with the action it belongs to.
(function () {
  "use strict";

  function rowOf(element) {
    return element.closest("tr, .inline-related, .form-row");
  }

  function sync(row) {
    var select = row && row.querySelector("select[name$='-action']");
    if (!select) { return; }
    row.querySelectorAll(".action-params").forEach(function (block) {
      block.hidden = block.dataset.action !== select.value;
    });
    row.querySelectorAll(".action-params-for").forEach(function (note) { note.hidden = true; });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[name$='-action']")) { sync(rowOf(event.target)); }
  });
  document.addEventListener("formset:added", function (event) { sync(event.target); });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".action-params-all").forEach(function (all) { sync(rowOf(all)); });
  });
})();
