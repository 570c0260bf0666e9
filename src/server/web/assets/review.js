// review: a little plain JavaScript. Everything works without it; it adds the keyboard
// (j/k next/previous file, n/p next/previous unresolved thread, r reply) and reveals the
// comment forms in place. No inline script anywhere (the Content-Security-Policy forbids it).
"use strict";
(function () {
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  function step(selector, forward) {
    var items = Array.prototype.slice.call(document.querySelectorAll(selector));
    if (!items.length) return null;
    var y = window.scrollY + 4, pick = null, i;
    if (forward) {
      for (i = 0; i < items.length; i++) {
        if (items[i].getBoundingClientRect().top + window.scrollY > y + 1) { pick = items[i]; break; }
      }
    } else {
      for (i = items.length - 1; i >= 0; i--) {
        if (items[i].getBoundingClientRect().top + window.scrollY < y - 1) { pick = items[i]; break; }
      }
    }
    if (pick) {
      pick.scrollIntoView({ block: "start" });
      document.querySelectorAll(".current-target").forEach(function (el) { el.classList.remove("current-target"); });
      pick.classList.add("current-target");
    }
    return pick;
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    if (e.key === "j") step(".file", true);
    else if (e.key === "k") step(".file", false);
    else if (e.key === "n") step(".thread.unresolved", true);
    else if (e.key === "p") step(".thread.unresolved", false);
    else if (e.key === "r") {
      var current = document.querySelector(".thread.current-target") || document.querySelector(".thread.unresolved");
      if (!current) return;
      var details = current.querySelector("details.reply");
      if (details) { details.open = true; }
      var area = current.querySelector("textarea");
      if (area) { e.preventDefault(); area.focus(); }
    } else return;
  });
  // "comment on this line": without JavaScript the line number loads the page with the form
  // open under the line; with it, a copy of the hidden form is filled in and opened in place.
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a.comment-here");
    var template = document.getElementById("line-form");
    if (!link || !template) return;
    var spec = new URL(link.href, location.href).searchParams.get("comment");
    var parts = spec ? spec.split(":") : [];
    var file = document.getElementById("file-" + parts[0]);
    if (parts.length !== 3 || !file) return;
    e.preventDefault();
    var row = link.closest("tr");
    var id = "line-form-" + parts.join("-");
    var existing = document.getElementById(id);
    if (existing) { existing.querySelector("textarea").focus(); return; }
    var form = template.cloneNode(true);
    form.id = id;
    form.hidden = false;
    form.querySelector("input[name=path]").value = file.getAttribute("data-path");
    form.querySelector("input[name=side]").value = parts[1];
    form.querySelector("input[name=line]").value = parts[2];
    form.querySelector(".where").textContent = file.getAttribute("data-path") + ":" + parts[2];
    var area = form.querySelector("textarea");
    area.id = id + "-body";
    form.querySelector("label").setAttribute("for", area.id);
    var tr = document.createElement("tr");
    tr.className = "threads";
    var td = document.createElement("td");
    td.colSpan = row.children.length;
    td.appendChild(form);
    tr.appendChild(td);
    row.parentNode.insertBefore(tr, row.nextSibling);
    area.focus();
  });
})();
