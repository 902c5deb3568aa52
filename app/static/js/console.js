// Track2 console: small behaviours shared by every page. No inline script anywhere; this
// file and htmx are the only scripts, both served by Track2.
(function () {
  "use strict";

  // A form that came back with errors: move focus to the list of what to fix, so keyboard
  // and screen-reader users land on it.
  function focusErrors(root) {
    var summary = (root || document).querySelector("#form-errors");
    if (summary) { summary.focus(); }
  }

  // Buttons that ask before they act: data-confirm="Text of the question".
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);

  // After htmx swaps in a fragment: focus what the fragment asks for (data-focus), else the
  // error summary it may carry.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var wanted = target.querySelector("[data-focus]");
    if (wanted) { wanted.focus(); } else { focusErrors(target); }
  });

  // <time datetime="..." data-local="datetime|time">: the same instant on the reader's own
  // clock (their browser's zone), next to the session's zone printed by the server.
  function localTimes(root) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    (root || document).querySelectorAll("time[data-local]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when.getTime())) { return; }
      var options = el.getAttribute("data-local") === "time"
        ? { hour: "2-digit", minute: "2-digit", timeZoneName: "short" }
        : { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" };
      el.textContent = when.toLocaleString(undefined, options) +
        (el.getAttribute("data-local") === "time" ? " (" + zone + ")" : "");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrors(document);
    localTimes(document);
  });
})();
