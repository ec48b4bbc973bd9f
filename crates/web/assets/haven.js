// Haven's own script: small progressive enhancements. Pages work without it.
(function () {
  "use strict";
  function fillTimeZone(root) {
    root.querySelectorAll("input[data-default-time-zone]").forEach(function (input) {
      if (!input.value) {
        try {
          input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
        } catch (e) {
          /* leave it for the person to choose */
        }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { fillTimeZone(document); });
  document.addEventListener("htmx:load", function (event) { fillTimeZone(event.target); });
})();
