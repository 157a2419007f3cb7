// Idea Portal: the little the pages need beyond htmx. Everything works without it.
(function () {
  "use strict";

  // Live vote counts for the ideas a page shows, and the reader's unread notifications: one
  // server-sent event stream per page.
  function followCounts() {
    var holder = document.querySelector("[data-live-ideas]");
    var badge = document.querySelector("[data-unread-count]");
    if ((!holder && !badge) || !window.EventSource) return;
    var ids = holder ? holder.getAttribute("data-live-ideas") : "";
    var stream = new EventSource("/live" + (ids ? "?ideas=" + encodeURIComponent(ids) : ""));
    stream.addEventListener("unread", function (message) {
      var update = JSON.parse(message.data);
      if (!badge) return;
      badge.textContent = update.text;
      badge.hidden = update.unread_count === 0;
      var label = document.querySelector("[data-unread-label]");
      if (label) label.hidden = update.unread_count === 0;
    });
    stream.addEventListener("count", function (message) {
      var update = JSON.parse(message.data);
      document.querySelectorAll('[data-vote-count="' + update.idea_id + '"]').forEach(function (element) {
        element.textContent = update.vote_count_text;
      });
    });
    window.addEventListener("pagehide", function () { stream.close(); });
  }

  // A file pasted or dropped into a form's text is uploaded at once and its reference inserted
  // where the cursor is (without JavaScript the form's file field does the same when sent).
  function attachInto(textarea, files) {
    var form = textarea.form;
    var status = form.querySelector("[data-attach-status]");
    var token = form.querySelector("input[name=csrf_token]");
    Array.prototype.forEach.call(files, function (file) {
      var data = new FormData();
      data.append("file", file, file.name || "pasted.png");
      if (status) status.textContent = "…";
      fetch("/attachments", {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRF-Token": token ? token.value : "", "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (answer) {
        if (!answer.ok) { if (status) status.textContent = answer.body.error || String(answer.body.title); return; }
        var start = textarea.selectionStart, end = textarea.selectionEnd, text = textarea.value;
        var piece = (start > 0 && text[start - 1] !== "\n" ? "\n" : "") + answer.body.markdown + "\n";
        textarea.value = text.slice(0, start) + piece + text.slice(end);
        textarea.selectionStart = textarea.selectionEnd = start + piece.length;
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
        if (status) status.textContent = "✓ " + (file.name || "");
      }).catch(function () { if (status) status.textContent = "✗"; });
    });
  }
  function filesOf(transfer) {
    return transfer && transfer.files && transfer.files.length ? transfer.files : null;
  }
  // The text of a form that takes files, and the files a paste or a drop on it carries.
  function attachFrom(event, transfer) {
    var target = event.target;
    if (target.tagName !== "TEXTAREA" || !target.form || !target.form.querySelector("input[name=files]")) return;
    var files = filesOf(transfer);
    if (files) { event.preventDefault(); attachInto(target, files); }
  }
  document.addEventListener("paste", function (event) { attachFrom(event, event.clipboardData); });
  document.addEventListener("drop", function (event) { attachFrom(event, event.dataTransfer); });
  document.addEventListener("dragover", function (event) {
    if (event.target.tagName === "TEXTAREA" && filesOf(event.dataTransfer)) event.preventDefault();
  });

  // A form sent by htmx that asks for it is emptied after success (a posted comment).
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (event.detail.successful && form && form.hasAttribute && form.hasAttribute("data-reset-on-success")) {
      form.reset();
    }
  });

  // A form sent with errors comes back as the form with them in place (422 naming where it
  // goes): swap it in like a success, rather than as an error.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status === 422 && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Focus stays where the person was: an element swapped for one with the same id keeps it
  // (htmx does that); otherwise it returns to what had it, or to the first field in error.
  var focusedBeforeRequest = null;
  document.addEventListener("htmx:beforeRequest", function () { focusedBeforeRequest = document.activeElement; });
  document.addEventListener("htmx:afterSettle", function (event) {
    var invalid = event.detail.elt && event.detail.elt.querySelector && event.detail.elt.querySelector("[aria-invalid=true]");
    if (invalid) {
      invalid.focus();
    } else if ((!document.activeElement || document.activeElement === document.body) &&
               focusedBeforeRequest && document.body.contains(focusedBeforeRequest)) {
      focusedBeforeRequest.focus();
    }
  });

  // An error answer to an htmx request: say so, instead of silently doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("live-error");
    if (!box) return;
    box.hidden = false;
    box.textContent = box.getAttribute("data-message") + " (" + event.detail.xhr.status + ")";
  });

  // The routing preview and other "show me" buttons are for browsers without script.
  document.querySelectorAll("[data-no-script-only]").forEach(function (element) { element.hidden = true; });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", followCounts);
  } else {
    followCounts();
  }
})();
