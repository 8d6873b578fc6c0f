// fabnet's page behaviour: show htmx errors in the alert region, keep focus sensible.
(function () {
  "use strict";
  function flash(text) {
    var box = document.getElementById("flash");
    if (!box) return;
    box.textContent = text;
    box.hidden = !text;
  }
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    flash(xhr && xhr.responseText ? xhr.responseText.replace(/<[^>]*>/g, "").trim().slice(0, 400)
      : "The request failed; try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    flash("fabnet could not be reached; check the connection and try again.");
  });
  document.addEventListener("htmx:beforeRequest", function () { flash(""); });
  window.fabnet = window.fabnet || {};
  window.fabnet.flash = flash;
})();
