// The agent's ticket page: its sections (<details data-fold>) stay open or closed as the agent
// left them, in this browser, also after htmx redraws one; action menus (<details
// class="action-menu">) close with Escape or a click elsewhere, like any menu.
(function () {
  "use strict";
  var KEY = "sb-fold:";

  function stored(name) {
    try { return window.localStorage.getItem(KEY + name); } catch (e) { return null; }
  }
  function store(name, open) {
    try { window.localStorage.setItem(KEY + name, open ? "open" : "closed"); } catch (e) { /* private mode */ }
  }
  // A section showing an error or an open form stays open whatever was remembered.
  function busy(fold) {
    return fold.querySelector(".errorlist, .msg-error, .error, details[open]");
  }
  function folds(root) {
    var found = Array.prototype.slice.call(root.querySelectorAll("details[data-fold]"));
    if (root.matches && root.matches("details[data-fold]")) found.unshift(root);
    return found;
  }
  function apply(root) {
    folds(root).forEach(function (fold) {
      var state = stored(fold.dataset.fold);
      if (state === "open") fold.open = true;
      else if (state === "closed" && !busy(fold)) fold.open = false;
    });
  }

  document.addEventListener("toggle", function (event) {
    var el = event.target;
    if (el.matches && el.matches("details[data-fold]")) store(el.dataset.fold, el.open);
  }, true);

  function closeMenus(except) {
    document.querySelectorAll("details.action-menu[open]").forEach(function (menu) {
      if (!except || !menu.contains(except)) menu.open = false;
    });
  }
  document.addEventListener("click", function (event) {
    if (!event.target.closest || event.target.closest("dialog")) return;
    closeMenus(event.target);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector("details.action-menu[open]");
    if (!open) return;
    closeMenus(null);
    var summary = open.querySelector("summary");
    if (summary) summary.focus();
  });

  apply(document);
  document.body.addEventListener("htmx:load", function (event) { apply(event.detail.elt); });
})();
