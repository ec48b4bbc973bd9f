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

  // Idle sign-out: pages of a signed-in person carry the session's idle time. Every request
  // (a page, an htmx swap, "Stay signed in") starts the count again; a minute before the end a
  // notice offers to stay, and at the end the page signs out and says why.
  var warnTimer, endTimer, notice;
  function hideNotice() {
    if (notice) { notice.remove(); notice = null; }
  }
  function signOutForIdleness() {
    var marker = document.querySelector("[data-form-token]");
    var body = new URLSearchParams({ _csrf: marker ? marker.getAttribute("data-form-token") : "" });
    fetch("/sign-out", { method: "POST", credentials: "same-origin", body: body }).finally(function () {
      window.location.assign("/sign-in?idle=1");
    });
  }
  function warn() {
    notice = document.createElement("div");
    notice.className = "idle-warning";
    notice.setAttribute("role", "alertdialog");
    var text = document.createElement("span");
    text.textContent = "You will be signed out soon because nothing has happened for a while.";
    var stay = document.createElement("button");
    stay.type = "button";
    stay.textContent = "Stay signed in";
    stay.addEventListener("click", function () {
      fetch("/api/v1/me", { credentials: "same-origin" }).then(function (answer) {
        if (answer.ok) { watchIdleness(); } else { signOutForIdleness(); }
      });
    });
    notice.append(text, stay);
    document.body.append(notice);
  }
  function watchIdleness() {
    hideNotice();
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    var marker = document.querySelector("[data-idle-seconds]");
    var idle = marker ? parseInt(marker.getAttribute("data-idle-seconds"), 10) * 1000 : 0;
    if (!(idle > 0)) { return; }
    warnTimer = setTimeout(warn, idle - Math.min(60000, idle / 2));
    endTimer = setTimeout(signOutForIdleness, idle);
  }
  document.addEventListener("DOMContentLoaded", watchIdleness);
  document.addEventListener("htmx:afterSettle", watchIdleness);
})();
