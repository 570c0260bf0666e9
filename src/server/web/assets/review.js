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
  // "comment on this line": the line number links to the line's form; open it in place.
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a.comment-here");
    if (!link) return;
    var form = document.getElementById(link.getAttribute("data-form"));
    if (!form) return;
    e.preventDefault();
    form.hidden = false;
    var area = form.querySelector("textarea");
    if (area) area.focus();
  });
})();
