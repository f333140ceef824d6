// zhidu web inbox: progressive enhancement only; every page works without it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move the keyboard focus to the first field the server marked wrong.
    var bad = document.querySelector("[aria-invalid=true]");
    if (bad) { bad.focus(); }
    // A second click while a form is on its way would only repeat it:
    // ignore it (buttons stay enabled so the clicked outcome is still sent).
    document.querySelectorAll("form[method=post]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (f.dataset.sent) { e.preventDefault(); return; }
        f.dataset.sent = "1";
        var b = e.submitter;
        if (b) { b.setAttribute("aria-busy", "true"); }
      });
    });
  });
})();
