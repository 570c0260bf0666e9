// review: live updates, an enhancement (every page is whole without it).
//
// A page that can change while it is open names its channel on an element:
//   data-live-channel="/live?change=3"   (or "/live?gate=main")
// and marks the parts that change with an id and data-live. When the channel says something
// happened, the page is fetched again and only those parts are swapped (a part holding the
// field being typed in is left alone), so scroll, focus and open forms stay as they are.
// A running job's log is followed with data-follow="<URL of the log's new bytes>" on the <pre>
// that shows it: the answer streams until the job ends, and each chunk is appended as text.
// No inline script anywhere (the Content-Security-Policy forbids it).
"use strict";
(function () {
  var root = document.documentElement;

  function editing(region) {
    var active = document.activeElement;
    if (!active || !region.contains(active)) return false;
    return active.tagName === "TEXTAREA" || active.tagName === "INPUT" || active.tagName === "SELECT";
  }

  var inFlight = false, again = false, timer = null;

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    document.querySelectorAll("[data-live][id]").forEach(function (region) {
      var next = fresh.getElementById(region.id);
      if (!next || editing(region) || region.querySelector("pre[data-following='yes']")) return;
      region.replaceWith(document.importNode(next, true));
    });
    document.querySelectorAll("pre[data-follow]:not([data-following])").forEach(follow);
    var count = Number(root.getAttribute("data-live-refreshes") || "0") + 1;
    root.setAttribute("data-live-refreshes", String(count));
  }

  function refresh() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html) swap(html); })
      .catch(function () {})
      .then(function () {
        inFlight = false;
        if (again) { again = false; refresh(); }
      });
  }

  // Events come in bursts (a job ends, the verdict follows): one fetch for a burst.
  function soon() {
    if (timer) return;
    timer = setTimeout(function () { timer = null; refresh(); }, 100);
  }

  function listen(url) {
    if (!window.EventSource) return;
    var source = new EventSource(url), opened = false;
    source.addEventListener("ready", function () {
      // A reconnection may have missed a queue move: look once.
      if (opened) soon();
      opened = true;
      root.setAttribute("data-live", "open");
    });
    source.addEventListener("change", soon);
    source.addEventListener("gate", soon);
    source.addEventListener("error", function () {
      root.setAttribute("data-live", source.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
    });
  }

  function follow(pre) {
    var url = pre.getAttribute("data-follow");
    if (!url || !window.fetch || !window.TextDecoder) return;
    var decoder = new TextDecoder();
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok || !response.body) return null;
      var reader = response.body.getReader();
      pre.setAttribute("data-following", "yes");
      function pump() {
        return reader.read().then(function (step) {
          if (step.done) return null;
          var bottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 8;
          pre.appendChild(document.createTextNode(decoder.decode(step.value, { stream: true })));
          if (bottom) window.scrollTo(0, document.body.scrollHeight);
          return pump();
        });
      }
      return pump();
    }).catch(function () {}).then(function () {
      pre.setAttribute("data-following", "ended");
      soon();
    });
  }

  function start() {
    var channel = document.querySelector("[data-live-channel]");
    if (channel) listen(channel.getAttribute("data-live-channel"));
    document.querySelectorAll("pre[data-follow]").forEach(follow);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
