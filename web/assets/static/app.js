// zhidu web inbox: progressive enhancement only; every page works without it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move the keyboard focus to the first field the server marked wrong.
    var bad = document.querySelector("[aria-invalid=true]");
    if (bad) { bad.focus(); }
    // A rows field's table: the buttons that add a row (a copy of the
    // blank row in its template, numbered after the rows there are) and
    // remove one. Without them the blank rows shown are the rows to add.
    document.querySelectorAll("[data-rows]").forEach(function (box) {
      var body = box.querySelector("tbody");
      var tmpl = box.querySelector("template.row-template");
      var add = box.querySelector(".add-row");
      if (!body || !tmpl || !add) { return; }
      var max = parseInt(box.dataset.maxRows, 10) || 100;
      var next = body.rows.length;
      var update = function () { add.disabled = body.rows.length >= max; };
      var wire = function (tr) {
        var b = tr.querySelector(".remove-row");
        if (!b) { return; }
        b.hidden = false;
        b.addEventListener("click", function () { tr.remove(); update(); add.focus(); });
      };
      Array.prototype.forEach.call(body.rows, wire);
      add.hidden = false;
      add.addEventListener("click", function () {
        var tr = tmpl.content.firstElementChild.cloneNode(true);
        var n = String(next++);
        tr.querySelectorAll("[name], [id], [aria-describedby]").forEach(function (el) {
          ["name", "id", "aria-describedby"].forEach(function (a) {
            var v = el.getAttribute(a);
            if (v) { el.setAttribute(a, v.split("__row__").join(n)); }
          });
        });
        body.appendChild(tr);
        wire(tr);
        update();
        var first = tr.querySelector("input, select");
        if (first) { first.focus(); }
      });
      update();
    });
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
