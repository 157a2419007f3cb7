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
