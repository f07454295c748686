// The rating page opened from an e-mail link: send the score the link chose, once, so a
// person's click in the e-mail is all it takes. The page works without it (one button).
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosubmit]");
  if (!form) return;
  var key = "rating-sent:" + window.location.pathname;
  try {
    if (window.sessionStorage.getItem(key)) return; // back to the page: do not send again
    window.sessionStorage.setItem(key, "1");
  } catch (e) {
    // No storage (private mode): the server still shows the form, not the script, next time.
  }
  form.classList.add("is-sending");
  if (form.requestSubmit) form.requestSubmit();
  else form.submit();
})();
