/*
 * Tillit chat widget. Embed with one tag:
 *   <script src="https://HOST/widget.js" data-lang="sv" defer></script>
 * Attributes: data-lang ("sv" | "en", default: the browser's language),
 *   data-mode ("bubble" (default) | "inline": fill data-target or the body),
 *   data-target (CSS selector of the element to fill in inline mode),
 *   data-position ("right" (default) | "left"), data-title (panel title).
 * Talks only to the server it was loaded from (POST /api/ask). Everything from the
 * server or the user is rendered with textContent, never as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__tillitWidget) { return; }
  window.__tillitWidget = true;

  var base = new URL(".", script.src);
  var data = script.dataset;
  var nav = (navigator.language || "").toLowerCase();
  var lang = data.lang === "en" || data.lang === "sv" ? data.lang
    : (/^(sv|nb|nn|no|da)/.test(nav) ? "sv" : "en");
  var mode = data.mode === "inline" ? "inline" : "bubble";
  var MAX_HISTORY = 20;

  var T = {
    sv: {
      title: "Fråga antologin om tillit", open: "Fråga om tillit", close: "Stäng",
      placeholder: "Skriv din fråga …", send: "Skicka", thinking: "Söker i antologin …",
      sources: "Källor", error: "Något gick fel. Försök igen om en stund.",
      intro: "Ställ en fråga om antologin Styra och leda med tillit (SOU 2018:38). " +
        "Svaren citerar boken.",
      clear: "Nytt samtal", ch: "kap.", sec: "avsnitt", p: "s.",
      followUp: "Uppfattad som uppföljning av"
    },
    en: {
      title: "Ask the anthology about trust", open: "Ask about trust", close: "Close",
      placeholder: "Type your question …", send: "Send", thinking: "Searching the anthology …",
      sources: "Sources", error: "Something went wrong. Please try again in a moment.",
      intro: "Ask a question about the anthology Styra och leda med tillit " +
        "(SOU 2018:38). Answers quote the book.",
      clear: "New conversation", ch: "ch.", sec: "section", p: "p.",
      followUp: "Understood as a follow-up to"
    }
  }[lang];

  var history = [];
  var counter = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function label(c) {
    var parts = [];
    if (c.chapter !== null && c.chapter !== undefined) {
      parts.push(T.ch + " " + c.chapter + (c.chapter_title ? " " + c.chapter_title : ""));
    }
    if (c.section) {
      parts.push(T.sec + " " + c.section + (c.section_title ? " " + c.section_title : ""));
    } else if (c.section_title) {
      parts.push(c.section_title);
    }
    if (c.page !== null && c.page !== undefined) { parts.push(T.p + " " + c.page); }
    return parts.join(", ");
  }

  // The quote's sentences (joined by " … " when not adjacent) as [start, end] in the passage.
  function quoteSpans(passage, quote) {
    var spans = [];
    var pos = 0;
    var segs = quote.split(" \u2026 ");
    for (var i = 0; i < segs.length; i++) {
      var seg = segs[i].trim();
      if (!seg) { continue; }
      var at = passage.indexOf(seg, pos);
      if (at < 0) { return []; }
      spans.push([at, at + seg.length]);
      pos = at + seg.length;
    }
    return spans;
  }

  // Host element with a shadow root, so the page's CSS and ours do not mix.
  var host = el("div");
  host.id = "tillit-widget";
  host.setAttribute("data-tillit-mode", mode);
  var target = mode === "inline" && data.target ? document.querySelector(data.target) : null;
  var root = host.attachShadow({ mode: "open" });
  var css = el("link");
  css.rel = "stylesheet";
  css.href = new URL("widget.css", base).href;
  root.appendChild(css);

  var wrap = el("div", "tw tw-mode-" + mode + (data.position === "left" ? " tw-left" : ""));
  wrap.setAttribute("lang", lang);
  var bubble = el("button", "tw-bubble", T.open);
  bubble.type = "button";
  bubble.setAttribute("aria-expanded", "false");
  var panel = el("section", "tw-panel");
  panel.setAttribute("role", mode === "inline" ? "region" : "dialog");
  panel.setAttribute("aria-label", data.title || T.title);
  var head = el("header", "tw-head");
  head.appendChild(el("h2", "tw-title", data.title || T.title));
  var clearBtn = el("button", "tw-clear", T.clear);
  clearBtn.type = "button";
  head.appendChild(clearBtn);
  var closeBtn = el("button", "tw-close", "×");
  closeBtn.type = "button";
  closeBtn.setAttribute("aria-label", T.close);
  if (mode === "bubble") { head.appendChild(closeBtn); }
  var log = el("div", "tw-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.appendChild(el("p", "tw-intro", T.intro));
  var form = el("form", "tw-form");
  var input = el("textarea", "tw-input");
  input.rows = 2;
  input.maxLength = 2000;
  input.placeholder = T.placeholder;
  input.setAttribute("aria-label", T.placeholder);
  var send = el("button", "tw-send", T.send);
  send.type = "submit";
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(form);
  if (mode === "bubble") { wrap.appendChild(bubble); }
  wrap.appendChild(panel);
  root.appendChild(wrap);
  (target || document.body).appendChild(host);

  function setOpen(open) {
    wrap.classList.toggle("tw-open", open);
    bubble.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { input.focus(); }
  }
  if (mode === "inline") { wrap.classList.add("tw-open"); }
  bubble.addEventListener("click", function () { setOpen(!wrap.classList.contains("tw-open")); });
  closeBtn.addEventListener("click", function () { setOpen(false); bubble.focus(); });
  clearBtn.addEventListener("click", function () {
    history = [];
    while (log.children.length > 1) { log.removeChild(log.lastChild); }
    input.focus();
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
  });

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function renderAnswer(box, ans) {
    var id = "tw-a" + (++counter);
    var q = ans.question || "";
    var sq = ans.standalone_question || "";
    var ctx = sq.indexOf(q) === 0 ? sq.slice(q.length).trim() : sq;
    if (sq && sq !== q && ctx) {
      box.appendChild(el("div", "tw-context", T.followUp + ": " + ctx));
    }
    var text = el("p", "tw-text");
    var re = /\[(\d{1,3})\]/g;
    var s = ans.answer || "";
    var pos = 0;
    var m;
    var numbers = {};
    (ans.citations || []).forEach(function (c) { numbers[c.n] = true; });
    while ((m = re.exec(s)) !== null) {
      text.appendChild(document.createTextNode(s.slice(pos, m.index)));
      if (numbers[m[1]]) {
        var ref = el("a", "tw-ref", "[" + m[1] + "]");
        ref.href = "#" + id + "-" + m[1];
        ref.setAttribute("data-n", m[1]);
        text.appendChild(ref);
      } else {
        text.appendChild(document.createTextNode(m[0]));
      }
      pos = m.index + m[0].length;
    }
    text.appendChild(document.createTextNode(s.slice(pos)));
    box.appendChild(text);
    if (!ans.answered) { box.classList.add("tw-refusal"); }
    var cits = ans.citations || [];
    if (cits.length) {
      box.appendChild(el("div", "tw-sources", T.sources));
      var list = el("ol", "tw-cards");
      cits.forEach(function (c, i) {
        var li = el("li", "tw-card");
        var det = el("details");
        det.id = id + "-" + c.n;
        if (i === 0) { det.open = true; }
        var sum = el("summary", null, "[" + c.n + "] " + label(c));
        det.appendChild(sum);
        var quote = el("blockquote", "tw-passage");
        var passage = c.text || "";
        var spans = quoteSpans(passage, c.quote || "");
        var pos = 0;
        spans.forEach(function (sp) {
          quote.appendChild(document.createTextNode(passage.slice(pos, sp[0])));
          quote.appendChild(el("mark", null, passage.slice(sp[0], sp[1])));
          pos = sp[1];
        });
        quote.appendChild(document.createTextNode(passage.slice(pos)));
        if (!spans.length && c.quote) { quote.appendChild(el("mark", "tw-quote", c.quote)); }
        det.appendChild(quote);
        if (c.authors) { det.appendChild(el("div", "tw-authors", c.authors)); }
        li.appendChild(det);
        list.appendChild(li);
      });
      box.appendChild(list);
    }
    text.addEventListener("click", function (ev) {
      var a = ev.target.closest ? ev.target.closest("a.tw-ref") : null;
      if (!a) { return; }
      ev.preventDefault();
      var card = root.getElementById(id + "-" + a.getAttribute("data-n"));
      if (card) { card.open = true; card.scrollIntoView({ block: "nearest" }); }
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var question = input.value.trim();
    if (!question || send.disabled) { return; }
    input.value = "";
    var asked = el("div", "tw-msg tw-user", question);
    log.appendChild(asked);
    var box = el("div", "tw-msg tw-bot tw-pending", T.thinking);
    log.appendChild(box);
    scrollDown();
    send.disabled = true;
    fetch(new URL("api/ask", base).href, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": lang },
      body: JSON.stringify({ question: question, history: history.slice(-MAX_HISTORY) })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        return { ok: r.ok, body: body };
      });
    }).then(function (res) {
      box.textContent = "";
      box.classList.remove("tw-pending");
      if (!res.ok) {
        box.classList.add("tw-error");
        box.textContent = (res.body && typeof res.body.error === "string") ? res.body.error
          : T.error;
        return;
      }
      renderAnswer(box, res.body);
      history.push(question);
      log.scrollTop = asked.offsetTop - 8;  // show the question and the top of its answer
    }).catch(function () {
      box.classList.remove("tw-pending");
      box.classList.add("tw-error");
      box.textContent = T.error;
    }).then(function () {
      send.disabled = false;
      if (box.classList.contains("tw-error")) { scrollDown(); }
    });
  });
}());
