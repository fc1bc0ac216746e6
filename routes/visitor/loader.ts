/**
 * The visitor widget loader (`/embed/visitor.js`), run in the host page. It reads the workspace's public
 * settings (page rules, position), adds an iframe on Parley's origin, and keeps the visitor's token in the
 * host page's own localStorage, handing it to the iframe with postMessage (only to Parley's origin, only
 * from that iframe). Plain ES5 so any host page can run it.
 *
 * @example
 * <script src="https://parley.example/embed/visitor.js" data-workspace="demo" async></script>
 */
export function loaderScript(): string {
  return `/* Parley visitor chat loader. Docs: docs/visitor-chat.md */
(function () {
  var s = document.currentScript;
  if (!s || window.__parleyVisitorLoaded) return;
  window.__parleyVisitorLoaded = true;
  var base = new URL(s.src, location.href).origin;
  var ws = s.getAttribute("data-workspace") || "";
  var key = "parley.visitor." + (ws || "default");
  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function allowed(rules) {
    if (!rules || !rules.length) return true;
    var path = location.pathname, show = false, any = false;
    for (var i = 0; i < rules.length; i++) {
      var r = rules[i];
      if (r.charAt(0) === "!") { if (path.indexOf(r.slice(1)) === 0) return false; }
      else { any = true; if (path.indexOf(r) === 0) show = true; }
    }
    return show || !any;
  }
  function start(cfg) {
    var look = (cfg && cfg.settings && cfg.settings.look) || {};
    if (cfg && cfg.settings && !allowed(cfg.settings.page_rules)) return;
    var side = look.position === "bottom-left" ? "left" : "right";
    var f = document.createElement("iframe");
    f.title = look.title || "Chat with us";
    f.src = base + "/support/frame?workspace=" + encodeURIComponent(ws) + "&host=" + encodeURIComponent(location.origin);
    function size(open) {
      var w = open ? "min(380px, calc(100vw - 24px))" : "72px";
      var h = open ? "min(600px, calc(100vh - 24px))" : "72px";
      f.setAttribute("style", "position:fixed;bottom:12px;" + side + ":12px;width:" + w + ";height:" + h +
        ";border:0;z-index:2147483000;background:transparent;color-scheme:normal");
    }
    size(!!(load() || {}).open);
    window.addEventListener("message", function (e) {
      if (e.source !== f.contentWindow || e.origin !== base) return;
      var d = e.data || {};
      if (d.parley === "ready") {
        f.contentWindow.postMessage({ parley: "init", saved: load(), page: location.href }, base);
      } else if (d.parley === "store") {
        try {
          if (d.saved) localStorage.setItem(key, JSON.stringify(d.saved)); else localStorage.removeItem(key);
        } catch (err) { /* storage full or blocked: the chat still works in this page */ }
      } else if (d.parley === "size") size(!!d.open);
    });
    document.body.appendChild(f);
  }
  function boot() {
    fetch(base + "/api/visitor/config?workspace=" + encodeURIComponent(ws))
      .then(function (r) { return r.json(); })
      .then(start, function () { start(null); });
  }
  if (document.body) boot(); else document.addEventListener("DOMContentLoaded", boot);
})();
`;
}
