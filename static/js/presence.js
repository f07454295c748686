// "Lena is viewing / replying": tell the desk this agent has the ticket open, every 20 s and as
// soon as the reply box gets (or loses) text, and show who else is on it. The server keeps the
// pings for under a minute, so a closed tab drops out by itself.
(function () {
  "use strict";
  var form = document.getElementById("presence");
  if (!form || !window.fetch || !window.FormData) return;
  var list = form.querySelector("[data-presence-list]");
  var state = form.querySelector("input[name=state]");
  var box = document.querySelector("#reply textarea[name=body]");
  var EVERY = 20000;
  var timer = null;

  function now() {
    return box && box.value.trim() ? "replying" : "viewing";
  }
  function ping() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ping, EVERY);
    state.value = now();
    window.fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) list.innerHTML = html; })
      .catch(function () { /* offline for a moment: the next ping tries again */ });
  }

  if (box) box.addEventListener("input", function () { if (now() !== state.value) ping(); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) ping(); });
  ping();
})();
