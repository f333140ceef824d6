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
    // The inbox: select all on the page, and the keyboard (j/k move, x
    // selects, c claims, Enter opens, ? shows the keys).
    var all = document.getElementById("select-all");
    var checks = document.querySelectorAll(".row-check");
    if (all) {
      all.addEventListener("change", function () {
        checks.forEach(function (b) { b.checked = all.checked; });
      });
    }
    // Enter in the bulk form's "reassign to" field reassigns (the form's
    // first button would claim).
    var bulkTo = document.getElementById("bulk-to");
    var bulkReassign = document.getElementById("bulk-reassign");
    if (bulkTo && bulkReassign) {
      bulkTo.addEventListener("keydown", function (e) {
        if (e.key === "Enter") { e.preventDefault(); bulkReassign.click(); }
      });
    }
    var rows = document.querySelectorAll("tr.task-row");
    var help = document.getElementById("kbd-help");
    if (rows.length && help) {
      var cur = -1;
      var move = function (i) {
        if (i < 0 || i >= rows.length) { return; }
        if (cur >= 0) { rows[cur].classList.remove("kbd-current"); rows[cur].removeAttribute("aria-current"); }
        cur = i;
        rows[cur].classList.add("kbd-current");
        rows[cur].setAttribute("aria-current", "true");
        rows[cur].scrollIntoView({ block: "nearest" });
      };
      document.addEventListener("keydown", function (e) {
        var t = e.target;
        if (e.ctrlKey || e.metaKey || e.altKey) { return; }
        if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName))) {
          if (!(t.tagName === "INPUT" && t.type === "checkbox")) { return; }
        }
        var row = cur >= 0 ? rows[cur] : null;
        switch (e.key) {
          case "j": move(cur + 1); break;
          case "k": move(cur < 0 ? 0 : cur - 1); break;
          case "x":
            if (row) { var b = row.querySelector(".row-check"); if (b) { b.checked = !b.checked; } }
            break;
          case "c":
            if (row) {
              checks.forEach(function (b) { b.checked = false; });
              var own = row.querySelector(".row-check");
              var claim = document.getElementById("bulk-claim");
              if (own && claim) { own.checked = true; claim.click(); }
            }
            break;
          case "Enter":
            if (row && !(t && t.tagName === "INPUT")) { var a = row.querySelector("a.task-link"); if (a) { a.click(); } }
            break;
          case "?": help.hidden = !help.hidden; break;
          case "Escape": help.hidden = true; break;
          default: return;
        }
        e.preventDefault();
      });
    }
  });
})();
