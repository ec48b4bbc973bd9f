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

  // On a phone, tables are stacked rows: each cell carries its column's name to show above it.
  function labelCells() {
    document.querySelectorAll("table").forEach(function (table) {
      var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, i) {
          if (names[i] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", names[i]);
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", labelCells);
  document.addEventListener("htmx:afterSettle", labelCells);

  // Idle sign-out: pages of a signed-in person carry the session's idle time. Every request
  // (a page, an htmx swap, "Stay signed in") starts the count again; a minute before the end a
  // notice offers to stay, and at the end the page signs out and says why.
  var warnTimer, endTimer, notice;
  function hideNotice() {
    if (notice) { notice.remove(); notice = null; }
  }
  // Staff pages and the client portal each name their own ways out (the marker's data-sign-out,
  // data-signed-out and data-keep-alive); staff's are the defaults.
  function idleMarker(name, fallback) {
    var marker = document.querySelector("[data-idle-seconds]");
    return (marker && marker.getAttribute(name)) || fallback;
  }
  function signOutForIdleness() {
    var marker = document.querySelector("[data-form-token]");
    var body = new URLSearchParams({ _csrf: marker ? marker.getAttribute("data-form-token") : "" });
    fetch(idleMarker("data-sign-out", "/sign-out"), { method: "POST", credentials: "same-origin", body: body }).finally(function () {
      window.location.assign(idleMarker("data-signed-out", "/sign-in?idle=1"));
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
      fetch(idleMarker("data-keep-alive", "/api/v1/me"), { credentials: "same-origin" }).then(function (answer) {
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
  // A part of the page that refreshes itself (data-background) is not the person's activity.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!(event.target.closest && event.target.closest("[data-background]"))) { watchIdleness(); }
  });

  // Passkeys: a button with data-passkey = "register" (signed in), "sign-in" (the whole sign-in)
  // or "second" (after the password), and data-passkey-base for another set of endpoints. The server sends options with binary values in base64url;
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
    // The portal's ceremonies name their own base (its sign-in, its link, its security page).
    var base = button.getAttribute("data-passkey-base") ||
      (kind === "register" ? "/account/passkeys" : "/sign-in/passkey");
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

  // Every owner's browser is a witness of the audit log (AUDIT.md §6): it keeps the last
  // checkpoint it saw (size, root, signing key) and on each visit asks for a consistency proof
  // from it to the current one. A shorter log, a proof that fails, a changed key or a bad
  // signature is shown loudly; all good, the new checkpoint is kept.
  function fromBase64(text) {
    var raw = atob(text);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function same(a, b) {
    if (a.length !== b.length) { return false; }
    for (var i = 0; i < a.length; i++) { if (a[i] !== b[i]) { return false; } }
    return true;
  }
  async function nodeHash(left, right) {
    var bytes = new Uint8Array(65);
    bytes[0] = 1;
    bytes.set(left, 1);
    bytes.set(right, 33);
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }
  // RFC 9162 §2.1.4.2, with sizes as plain numbers (exact up to 2^53).
  async function consistent(m, n, oldRoot, newRoot, proof) {
    if (m === n) { return proof.length === 0 && same(oldRoot, newRoot); }
    if (m === 0 || m > n) { return false; }
    var path = proof.slice();
    if (Number.isInteger(Math.log2(m))) { path.unshift(oldRoot); }
    if (path.length === 0) { return false; }
    var half = function (x) { return Math.floor(x / 2); };
    var f = m - 1, s = n - 1;
    while (f % 2 === 1) { f = half(f); s = half(s); }
    var fr = path[0], sr = path[0];
    for (var i = 1; i < path.length; i++) {
      if (s === 0) { return false; }
      if (f % 2 === 1 || f === s) {
        fr = await nodeHash(path[i], fr);
        sr = await nodeHash(path[i], sr);
        while (f % 2 === 0 && f !== 0) { f = half(f); s = half(s); }
      } else {
        sr = await nodeHash(sr, path[i]);
      }
      f = half(f);
      s = half(s);
    }
    return s === 0 && same(fr, oldRoot) && same(sr, newRoot);
  }
  // Checks the note's Ed25519 signature with its own key (what is pinned is the key itself).
  async function signedBy(note, keyName, publicKey) {
    var split = note.indexOf("\n\n");
    var body = new TextEncoder().encode(note.slice(0, split + 1));
    var line = note.slice(split + 2).split("\n").find(function (l) { return l.indexOf("\u2014 " + keyName + " ") === 0; });
    if (!line) { return false; }
    var blob = fromBase64(line.split(" ")[2]);
    var key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    return crypto.subtle.verify({ name: "Ed25519" }, key, blob.slice(4), body);
  }
  async function witness(status) {
    var storeKey = "haven-audit-witness";
    var seen = null;
    try { seen = JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { seen = null; }
    var answer = await fetch("/audit/checkpoint?since=" + (seen ? seen.size : 0), { credentials: "same-origin" });
    if (answer.status !== 200) { return; }
    var now = await answer.json();
    var problem = null;
    var root = fromBase64(now.root);
    var key = fromBase64(now.public_key);
    if (!(await signedBy(now.note, now.key_name, key).catch(function () { return false; }))) {
      problem = "The audit log's newest checkpoint is not signed by its key.";
    } else if (seen && seen.key_name === now.key_name && seen.public_key !== now.public_key) {
      problem = "The audit log's signing key changed since this browser last saw it.";
    } else if (seen && seen.key_name === now.key_name && now.size < seen.size) {
      problem = "The audit log is shorter than when this browser last saw it (" + seen.size + " events, now " +
        now.size + "): it may have been rolled back to an older copy or cut short.";
    } else if (seen && seen.key_name === now.key_name &&
      !(await consistent(seen.size, now.size, fromBase64(seen.root), root, now.proof.map(fromBase64)))) {
      problem = "The audit log's history differs from what this browser saw before: it may have been rewritten.";
    }
    if (problem) {
      status.textContent = problem + " Tell whoever runs Haven, and keep this page open.";
      status.className = "alert witness-failed";
      status.setAttribute("role", "alert");
      return;
    }
    var checked = seen && seen.key_name === now.key_name;
    localStorage.setItem(storeKey, JSON.stringify({ size: now.size, root: now.root, public_key: now.public_key, key_name: now.key_name }));
    status.textContent = checked
      ? "Checked by this browser: the log of " + now.size + " events extends the " + seen.size + " it saw last time."
      : "This browser now keeps this checkpoint and will check the log against it on each visit.";
    status.className = "hint witness-ok";
  }
  function startWitness(root) {
    var status = root.querySelector ? root.querySelector("[data-audit-witness]") : null;
    if (status && !status.dataset.witnessed && window.crypto && crypto.subtle) {
      status.dataset.witnessed = "1";
      witness(status);
    }
  }
  document.addEventListener("DOMContentLoaded", function () { startWitness(document); });
  document.addEventListener("htmx:load", function (event) { startWitness(event.target); });

  // The week: drag a scheduled session to another day to move it there at the same time. The
  // page's hidden move form goes out as any form would (overlaps come back on the day page).
  function dropDay(event) {
    return event.target.closest ? event.target.closest("[data-drop-date]") : null;
  }
  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest ? event.target.closest("[data-appointment]") : null;
    if (!item) return;
    event.dataTransfer.setData("text/plain", item.getAttribute("data-appointment"));
    event.dataTransfer.effectAllowed = "move";
  });
  document.addEventListener("dragover", function (event) {
    var day = dropDay(event);
    if (!day) return;
    event.preventDefault();
    document.querySelectorAll(".drop-target").forEach(function (d) { if (d !== day) d.classList.remove("drop-target"); });
    day.classList.add("drop-target");
  });
  document.addEventListener("drop", function (event) {
    var day = dropDay(event);
    var form = document.getElementById("drag-move");
    if (!day || !form) return;
    event.preventDefault();
    day.classList.remove("drop-target");
    var id = event.dataTransfer.getData("text/plain");
    var item = document.querySelector('[data-appointment="' + CSS.escape(id) + '"]');
    if (!item) return;
    var from = item.closest("[data-drop-date]").getAttribute("data-drop-date");
    var to = day.getAttribute("data-drop-date");
    if (from === to) return;
    form.action = "/schedule/appointments/" + encodeURIComponent(id) + "/move";
    form.elements.version.value = item.getAttribute("data-version");
    form.elements.to_date.value = to;
    form.elements.to_time.value = item.getAttribute("data-time");
    form.elements.date.value = from;
    form.requestSubmit();
  });

  // A form with data-stream="#target" (an AI request's Send): posted with fetch, the answer's
  // pieces shown in the target's <pre> as they arrive, then the page the server names opened.
  // Without JavaScript the form posts as usual and the server answers when the answer is whole.
  async function streamForm(form) {
    var target = document.querySelector(form.getAttribute("data-stream"));
    var out = target ? target.querySelector("pre") : null;
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    if (target) target.hidden = false;
    var state = document.querySelector("#ai-state");
    if (state) state.textContent = "Sending…";
    var answer = await fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "text/event-stream" },
      body: new URLSearchParams(new FormData(form)),
    });
    if (!answer.ok || !answer.body) {
      window.location.reload();
      return;
    }
    var reader = answer.body.getReader();
    var decoder = new TextDecoder();
    var buffered = "";
    for (;;) {
      var read = await reader.read();
      if (read.done) break;
      buffered += decoder.decode(read.value, { stream: true });
      var end;
      while ((end = buffered.indexOf("\n\n")) >= 0) {
        var block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        var name = (block.match(/^event: (.*)$/m) || [])[1];
        var data = JSON.parse((block.match(/^data: (.*)$/m) || [])[1] || "\"\"");
        if (name === "piece" && out) out.textContent += data;
        if (name === "done") {
          window.location.assign(data);
          return;
        }
      }
    }
    window.location.reload();
  }
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-stream]");
    if (!form || !window.fetch || !window.TextDecoder) return;
    event.preventDefault();
    event.stopPropagation();
    streamForm(form).catch(function () { window.location.reload(); });
  }, true);
})();

// The signature pad of an intake form: strokes drawn on the canvas are written into the form's
// hidden "strokes" field as "x,y x,y;x,y" with coordinates from 0 to 1. Without script the pad
// stays hidden and the typed name with the ticked box signs alone. Pages arrive by htmx too,
// so each new pad is set up when it appears.
(function () {
  function setUp(pad) {
    if (pad.dataset.ready) return;
    pad.dataset.ready = "1";
    var canvas = pad.querySelector("canvas");
    var field = pad.closest("form").querySelector("input[name=strokes]");
    var context = canvas.getContext("2d");
    var strokes = [];
    var drawing = null;
    pad.hidden = false;
    context.lineWidth = 3;
    context.lineCap = "round";
    context.lineJoin = "round";
    function point(event) {
      var box = canvas.getBoundingClientRect();
      var x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      var y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
      return [x, y];
    }
    function save() {
      field.value = strokes.map(function (stroke) {
        return stroke.map(function (p) { return p[0].toFixed(3) + "," + p[1].toFixed(3); }).join(" ");
      }).join(";");
    }
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = [point(event)];
      strokes.push(drawing);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var last = drawing[drawing.length - 1];
      var next = point(event);
      drawing.push(next);
      context.beginPath();
      context.moveTo(last[0] * canvas.width, last[1] * canvas.height);
      context.lineTo(next[0] * canvas.width, next[1] * canvas.height);
      context.stroke();
    });
    function end() {
      if (!drawing) return;
      drawing = null;
      save();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    pad.querySelector("[data-clear-signature]").addEventListener("click", function () {
      strokes = [];
      context.clearRect(0, 0, canvas.width, canvas.height);
      save();
    });
  }
  function setUpAll() {
    document.querySelectorAll("[data-signature-pad]").forEach(setUp);
  }
  setUpAll();
  document.addEventListener("htmx:load", setUpAll);
})();
