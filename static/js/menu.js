// The top bar's menu. On a phone the navigation and "Sign out" fold behind the Menu button; the
// button only appears once this script runs, so without it the bar simply wraps and every link
// stays reachable. Escape closes the menu (and the Reports list) and gives focus back.
(function () {
  "use strict";
  var bar = document.querySelector(".topbar");
  var toggle = bar && bar.querySelector(".menu-toggle");
  if (!toggle) return;

  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    bar.classList.toggle("menu-open", open);
  }

  bar.classList.add("has-menu");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var report = bar.querySelector("details.nav-menu[open]");
    if (report && report.contains(document.activeElement)) {
      report.open = false;
      report.querySelector("summary").focus();
    } else if (toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });

  // A click elsewhere closes the Reports list, as people expect of a drop-down.
  document.addEventListener("click", function (event) {
    bar.querySelectorAll("details.nav-menu[open]").forEach(function (details) {
      if (!details.contains(event.target)) details.open = false;
    });
  });
})();
