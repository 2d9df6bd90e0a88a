/* Chat page helpers, loaded from this server (no inline script, so the page's CSP needs no
   'unsafe-inline' for scripts):
   - a click (or Enter) on an answer's [n] marker opens its citation card and moves focus there;
   - "Copy reference" copies the card's reference;
   - a complete answer is announced once in a polite live region (never token by token);
   - chat messages get a plain-text aria-label (Gradio puts the message's HTML source there);
   - Gradio's own buttons and the page's lang attribute follow the language switch. */
(function () {
  "use strict";
  var L = {
    sv: { ready: "Svaret är klart", copied: "Referensen är kopierad.", user: "Din fråga: ",
          bot: "Svar: " },
    en: { ready: "The answer is ready", copied: "Reference copied.", user: "Your question: ",
          bot: "Answer: " }
  };
  // Gradio labels its icon buttons in the browser's language; these follow the switch.
  var GRADIO = [["Like", "Gilla"], ["Dislike", "Ogilla"], ["Edit", "Redigera"],
    ["Retry", "Försök igen"], ["Undo", "Ångra"], ["Cancel", "Avbryt"], ["Submit", "Skicka"],
    ["Clear", "Rensa chatten"], ["Copy", "Kopiera"], ["Copied!", "Kopierat!"],
    ["Share", "Dela"], ["Download", "Ladda ner"], ["Remove", "Ta bort"],
    ["Loading", "Laddar"], ["Settings", "Inställningar"]];

  function lang() {
    var checked = document.querySelector("#tillit-lang input:checked");
    return checked && checked.value === "en" ? "en" : "sv";
  }

  var live = document.createElement("div");
  live.id = "tillit-live";
  live.className = "tillit-sr";
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  live.setAttribute("aria-atomic", "true");
  function announce(text) {
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 60);
  }
  function attachLive() { if (!live.isConnected) { document.body.appendChild(live); } }

  document.addEventListener("click", function (ev) {
    var t = ev.target;
    var copy = t && t.closest ? t.closest("button.tillit-copy") : null;
    if (copy) {
      ev.preventDefault();
      ev.stopPropagation();
      var holder = copy.closest(".tillit-tools");
      var ref = holder ? holder.querySelector(".tillit-ref-text") : null;
      copyText(ref ? ref.textContent : "");
      return;
    }
    var a = t && t.closest ? t.closest("a.tillit-ref") : null;
    if (!a) { return; }
    ev.preventDefault();
    ev.stopPropagation();
    var id = (a.getAttribute("href") || "").replace(/^#/, "");
    var card = id ? document.getElementById(id) : null;
    if (!card) { return; }
    card.open = true;
    card.classList.add("tillit-flash");
    card.scrollIntoView({ behavior: "smooth", block: "nearest" });
    var summary = card.querySelector("summary");
    if (summary) { summary.focus({ preventScroll: true }); }
    window.setTimeout(function () { card.classList.remove("tillit-flash"); }, 1200);
  }, true);

  function copyText(text) {
    function done() { attachLive(); announce(L[lang()].copied); }
    function fallback() {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "tillit-sr";
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy"); } catch (e) { /* nothing to do */ }
      document.body.removeChild(area);
      done();
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  var seen = {};
  var started = false;
  function announceNew() {
    var finals = document.querySelectorAll(
      "#tillit-chat [id^='tillit-turn-']:not(.tillit-streaming)");
    for (var i = 0; i < finals.length; i++) {
      var turn = finals[i].id;
      if (seen[turn]) { continue; }
      seen[turn] = true;
      if (!started) { continue; }  // answers already there when the page loaded
      var kind = finals[i].querySelector(".tillit-kind");
      var said = (kind ? kind.textContent + ". " : "") +
        (finals[i].querySelector(".tillit-text") || finals[i]).textContent;
      attachLive();
      said = said.replace(/\s*\[\d{1,3}\]/g, "").replace(/\s+/g, " ").trim();
      announce(L[lang()].ready + ": " + said.slice(0, 600));
    }
    started = true;
  }

  function fixLabels(root) {
    var nodes = root.querySelectorAll(
      "[data-testid='bot'][aria-label*='<'], [data-testid='user'][aria-label*='<']");
    for (var i = 0; i < nodes.length; i++) {
      var n = nodes[i];
      var prefix = n.getAttribute("data-testid") === "user" ? L[lang()].user : L[lang()].bot;
      var text = (n.innerText || n.textContent || "").replace(/\s+/g, " ").trim();
      n.setAttribute("aria-label", prefix + text.slice(0, 600));
    }
    // the chat log itself is not live: streamed pieces would be read out one by one
    var logs = root.querySelectorAll("#tillit-chat [aria-live]");
    for (var j = 0; j < logs.length; j++) {
      if (logs[j].getAttribute("aria-live") !== "off") { logs[j].setAttribute("aria-live", "off"); }
    }
  }

  function relabel(root) {
    var to = lang() === "en" ? 0 : 1;
    var from = 1 - to;
    if (document.documentElement.lang !== lang()) { document.documentElement.lang = lang(); }
    var nodes = root.querySelectorAll("#tillit-chat button[aria-label], #tillit-chat button[title]");
    for (var i = 0; i < nodes.length; i++) {
      ["aria-label", "title"].forEach(function (attr) {
        var v = nodes[i].getAttribute(attr);
        if (!v) { return; }
        for (var k = 0; k < GRADIO.length; k++) {
          if (v === GRADIO[k][from]) { nodes[i].setAttribute(attr, GRADIO[k][to]); return; }
        }
      });
    }
  }

  var pending = false;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      fixLabels(document);
      relabel(document);
      if (document.querySelector("#tillit-chat")) { announceNew(); }
    });
  }).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ["aria-label", "title", "aria-live", "checked", "class"]
  });
}());
