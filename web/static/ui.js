/* Chat page helpers, loaded from this server (no inline script, so the page's CSP needs no
   'unsafe-inline' for scripts):
   - a click on an answer's [n] marker opens and shows its citation card;
   - chat messages get a plain-text aria-label (Gradio puts the message's HTML source there). */
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest("a.tillit-ref") : null;
    if (!a) { return; }
    ev.preventDefault();
    ev.stopPropagation();
    var id = (a.getAttribute("href") || "").replace(/^#/, "");
    var card = id ? document.getElementById(id) : null;
    if (!card) { return; }
    card.open = true;
    card.classList.add("tillit-flash");
    card.scrollIntoView({ behavior: "smooth", block: "nearest" });
    window.setTimeout(function () { card.classList.remove("tillit-flash"); }, 1200);
  }, true);

  function fixLabels(root) {
    var nodes = root.querySelectorAll ? root.querySelectorAll(
      "[data-testid='bot'][aria-label*='<'], [data-testid='user'][aria-label*='<']") : [];
    for (var i = 0; i < nodes.length; i++) {
      var n = nodes[i];
      var prefix = n.getAttribute("data-testid") === "user" ? "user's message: "
        : "bot's message: ";
      var text = (n.innerText || n.textContent || "").replace(/\s+/g, " ").trim();
      n.setAttribute("aria-label", prefix + text.slice(0, 600));
    }
  }
  var pending = false;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; fixLabels(document); });
  }).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"]
  });
}());
