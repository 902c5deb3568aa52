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

  document.addEventListener("DOMContentLoaded", function () { focusErrors(document); });
})();
