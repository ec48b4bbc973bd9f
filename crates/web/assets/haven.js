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

  // Passkeys: a button with data-passkey = "register" (signed in), "sign-in" (the whole sign-in)
  // or "second" (after the password). The server sends options with binary values in base64url;
  // the browser's answer goes back the same way, as a form field with the page's form token.
  function fromBase64url(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    return Uint8Array.from(atob(base64), function (c) { return c.charCodeAt(0); });
  }
  function toBase64url(buffer) {
    var text = String.fromCharCode.apply(null, new Uint8Array(buffer));
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function credentialList(list) {
    return list.map(function (c) { return { type: c.type, id: fromBase64url(c.id) }; });
  }
  async function postForm(url, fields, step) {
    var headers = step ? { "x-haven-step": step } : {};
    var answer = await fetch(url, {
      method: "POST", credentials: "same-origin", headers: headers, body: new URLSearchParams(fields),
    });
    var body = await answer.json().catch(function () { return { message: "the server did not answer." }; });
    if (!answer.ok) {
      var why = body.message || "the passkey could not be used.";
      throw new Error(why.charAt(0).toUpperCase() + why.slice(1));
    }
    return body;
  }
  async function usePasskey(button) {
    var kind = button.getAttribute("data-passkey");
    var token = button.getAttribute("data-form-token") || "";
    var step = kind === "second" ? "second" : "";
    var base = kind === "register" ? "/account/passkeys" : "/sign-in/passkey";
    var message = document.getElementById("passkey-message");
    if (message) { message.hidden = true; }
    button.disabled = true;
    try {
      var options = await postForm(base + "/options", { _csrf: token }, step);
      var publicKey = options.publicKey;
      publicKey.challenge = fromBase64url(publicKey.challenge);
      var answer = { challenge_id: options.challenge_id };
      var fields = { _csrf: token };
      if (kind === "register") {
        publicKey.user.id = fromBase64url(publicKey.user.id);
        publicKey.excludeCredentials = credentialList(publicKey.excludeCredentials);
        var created = await navigator.credentials.create({ publicKey: publicKey });
        answer.credential_id = toBase64url(created.rawId);
        answer.client_data_json = toBase64url(created.response.clientDataJSON);
        answer.attestation_object = toBase64url(created.response.attestationObject);
        var name = document.getElementById("passkey-name");
        fields.name = name ? name.value : "";
      } else {
        publicKey.allowCredentials = credentialList(publicKey.allowCredentials);
        var got = await navigator.credentials.get({ publicKey: publicKey });
        answer.credential_id = toBase64url(got.rawId);
        answer.client_data_json = toBase64url(got.response.clientDataJSON);
        answer.authenticator_data = toBase64url(got.response.authenticatorData);
        answer.signature = toBase64url(got.response.signature);
      }
      fields.answer = JSON.stringify(answer);
      var done = await postForm(base, fields, step);
      window.location.assign(done.next);
    } catch (e) {
      button.disabled = false;
      if (message) {
        message.textContent = e.name === "NotAllowedError"
          ? "The passkey was not used (cancelled, or none for this site on this device)."
          : e.message;
        message.hidden = false;
      }
    }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-passkey]");
    if (button) { event.preventDefault(); usePasskey(button); }
  });
})();
