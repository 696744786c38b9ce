// buildtools preview --watch: reload this page when a new bundle is in place; show a failed
// build's error over the last good page.
(function () {
  var banner = null;
  function showError(text) {
    if (banner === null) {
      banner = document.createElement("pre");
      banner.id = "buildtools-preview-error";
      banner.setAttribute("role", "alert");
      banner.style.cssText =
        "position:fixed;left:0;right:0;top:0;z-index:2147483647;margin:0;padding:12px 16px;" +
        "background:#fff0f0;color:#a40e26;border-bottom:2px solid #cf222e;" +
        "font:13px/1.4 ui-monospace,monospace;white-space:pre-wrap;max-height:50vh;overflow:auto";
      document.documentElement.appendChild(banner);
    }
    banner.textContent = "build failed (this is the last good page):\n" + text;
  }
  var events = new EventSource("/__preview/events");
  events.addEventListener("reload", function () {
    window.location.reload();
  });
  events.addEventListener("build-error", function (event) {
    showError(event.data);
  });
  events.addEventListener("build-ok", function () {
    if (banner !== null) {
      banner.remove();
      banner = null;
    }
  });
})();
