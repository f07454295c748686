// Keyboard shortcuts of the agent workspace. Queue: j / k move between tickets, Enter or o
// opens one. Ticket page: r writes a reply, n an internal note, e opens "Escalate". Everywhere:
// ? lists them. Keys typed into a field are the field's, never a shortcut.
(function () {
  "use strict";
  var help = document.getElementById("shortcuts-help");

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  function showHelp() {
    if (help && !help.open && help.showModal) help.showModal();
  }
  document.querySelectorAll("[data-shortcuts-help]").forEach(function (button) {
    button.addEventListener("click", showHelp);
  });

  // --- The queue -----------------------------------------------------------------------------
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue-results table.queue tbody tr"))
      .filter(function (row) { return row.querySelector("a[href]"); });
  }
  function current() {
    return document.querySelector("#queue-results tr.kb-current");
  }
  function move(step) {
    var all = rows();
    if (!all.length) return false;
    var index = all.indexOf(current());
    var next = all[index < 0 ? 0 : Math.max(0, Math.min(all.length - 1, index + step))];
    all.forEach(function (row) { row.classList.remove("kb-current"); });
    next.classList.add("kb-current");
    next.querySelector("a[href]").focus();
    return true;
  }
  function openCurrent() {
    var row = current();
    var link = row && row.querySelector("a[href]");
    if (!link) return false;
    window.location.assign(link.href);
    return true;
  }

  // --- The ticket page -----------------------------------------------------------------------
  function write(kind) {
    var form = document.querySelector("#reply form");
    if (!form) return false;
    var radio = form.querySelector("input[name=visibility][value=" + kind + "]");
    if (radio) radio.checked = true;
    var box = form.querySelector("textarea[name=body]");
    if (box) {
      box.scrollIntoView({ block: "center" });
      box.focus();
    }
    return true;
  }
  function escalate() {
    var menu = document.querySelector("details[data-shortcut=escalate]");
    if (!menu) return false;
    var fold = menu.closest("details[data-fold]");
    if (fold) fold.open = true;
    menu.open = true;
    var field = menu.querySelector("textarea, input:not([type=hidden]), select");
    (field || menu.querySelector("summary")).focus();
    menu.scrollIntoView({ block: "center" });
    return true;
  }

  var keys = {
    j: function () { return move(1); },
    k: function () { return move(-1); },
    o: openCurrent,
    r: function () { return write("public"); },
    n: function () { return write("internal"); },
    e: escalate,
    "?": function () { showHelp(); return Boolean(help); },
  };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || (help && help.open)) return;
    if (event.key === "Enter") {
      // Enter on a focused link opens it by itself; on a highlighted row, open the row's.
      if (event.target.closest && event.target.closest("a, button, summary")) return;
      if (openCurrent()) event.preventDefault();
      return;
    }
    var action = keys[event.key];
    if (action && action()) event.preventDefault();
  });
})();
