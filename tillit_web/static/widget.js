/*
 * Tillit chat widget. Embed with one tag:
 *   <script src="https://HOST/widget.js" data-lang="sv" defer></script>
 * Attributes: data-lang ("sv" | "en", default: the browser's language),
 *   data-mode ("bubble" (default) | "inline": fill data-target or the body),
 *   data-target (CSS selector of the element to fill in inline mode),
 *   data-position ("right" (default) | "left"), data-title (panel title),
 *   data-persist ("false": do not keep the conversation in sessionStorage between pages).
 * Theming: CSS custom properties --tillit-accent, --tillit-accent-text, --tillit-bg,
 *   --tillit-fg, --tillit-muted, --tillit-line, --tillit-soft, --tillit-mark, --tillit-focus,
 *   --tillit-font, --tillit-radius set on the page (e.g. on :root or #tillit-widget).
 * Talks only to the server it was loaded from (POST /api/ask/stream: server-sent events).
 * Streamed pieces are shown as a draft; the final answer replaces them (a language model's
 * raw tokens may carry wrong markers or claims the sources do not support). Everything from
 * the server or the user is rendered with textContent, never as HTML.
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
      followUp: "Uppfattad som uppföljning av",
      unsupported: "ej belagt i källorna",
      unsupportedHint: "Den här meningen kunde inte beläggas i de citerade styckena: " +
        "läs källan innan du litar på den.",
      generated: "Formulerat av språkmodellen {model}; varje mening är kontrollerad mot " +
        "källorna ({supported} av {total} belagda).",
      notStated: "Står inte i antologin",
      notStatedHint: "Antologin tar upp ämnet men ger inte det du frågar efter. " +
        "Styckena nedan är de som ligger närmast.",
      read: "Läs i sammanhang", sourcePage: "Sidan i er kopia", newTab: "öppnas i ny flik",
      copy: "Kopiera referens", copied: "Referensen är kopierad.", reference: "Referens",
      exportMd: "Exportera", exportLabel: "Exportera samtalet som Markdown",
      ready: "Svaret är klart", exportTitle: "Samtal med Tillit", question: "Fråga",
      answer: "Svar", references: "Referenser", file: "tillit-samtal.md"
    },
    en: {
      title: "Ask the anthology about trust", open: "Ask about trust", close: "Close",
      placeholder: "Type your question …", send: "Send", thinking: "Searching the anthology …",
      sources: "Sources", error: "Something went wrong. Please try again in a moment.",
      intro: "Ask a question about the anthology Styra och leda med tillit " +
        "(SOU 2018:38). Answers quote the book.",
      clear: "New conversation", ch: "ch.", sec: "section", p: "p.",
      followUp: "Understood as a follow-up to",
      unsupported: "not supported by the sources",
      unsupportedHint: "This sentence could not be supported by the cited passages: " +
        "read the source before relying on it.",
      generated: "Written by the language model {model}; every sentence was checked " +
        "against the sources ({supported} of {total} supported).",
      notStated: "Not stated in the anthology",
      notStatedHint: "The anthology discusses the subject but does not give what you ask " +
        "for. The passages below are the closest ones.",
      read: "Read in context", sourcePage: "The page in your copy", newTab: "opens in a new tab",
      copy: "Copy reference", copied: "Reference copied.", reference: "Reference",
      exportMd: "Export", exportLabel: "Export the conversation as Markdown",
      ready: "The answer is ready", exportTitle: "Conversation with Tillit", question: "Question",
      answer: "Answer", references: "References", file: "tillit-conversation.md"
    }
  }[lang];

  var turns = [];  // {question, answer (the API's object) | null, error | null}
  var counter = 0;
  var persist = data.persist !== "false";
  var STORE_KEY = "tillit-widget:" + base.href + ":" + lang;
  function save(open) {
    if (!persist) { return; }
    try {
      window.sessionStorage.setItem(STORE_KEY, JSON.stringify({
        turns: turns.slice(-MAX_HISTORY), open: open }));
    } catch (e) { /* storage full or refused: the conversation just does not carry over */ }
  }
  function load() {
    if (!persist) { return null; }
    try { return JSON.parse(window.sessionStorage.getItem(STORE_KEY) || "null"); }
    catch (e) { return null; }
  }
  function history() {
    return turns.filter(function (x) { return x.answer; })
      .map(function (x) { return x.question; }).slice(-MAX_HISTORY);
  }
  // The one rule for the kind of reply (answered | not_stated | off_topic).
  function answerability(ans) {
    return ans.answerability || (ans.answered ? "answered" : "off_topic");
  }

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
  var exportBtn = el("button", "tw-export", T.exportMd);
  exportBtn.type = "button";
  exportBtn.setAttribute("aria-label", T.exportLabel);
  head.appendChild(exportBtn);
  var clearBtn = el("button", "tw-clear", T.clear);
  clearBtn.type = "button";
  head.appendChild(clearBtn);
  var closeBtn = el("button", "tw-close", "×");
  closeBtn.type = "button";
  closeBtn.setAttribute("aria-label", T.close);
  if (mode === "bubble") { head.appendChild(closeBtn); }
  // The log is not live (streamed pieces would be read out one by one); complete answers
  // are announced once through the status region.
  var log = el("div", "tw-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "off");
  log.setAttribute("tabindex", "0");
  log.setAttribute("aria-label", T.title);
  log.appendChild(el("p", "tw-intro", T.intro));
  var live = el("div", "tw-sr");
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  live.setAttribute("aria-atomic", "true");
  function announce(text) {
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 60);
  }
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
  panel.appendChild(live);
  if (mode === "bubble") { wrap.appendChild(bubble); }
  wrap.appendChild(panel);
  root.appendChild(wrap);
  (target || document.body).appendChild(host);

  function setOpen(open, quiet) {
    wrap.classList.toggle("tw-open", open);
    bubble.setAttribute("aria-expanded", open ? "true" : "false");
    if (open && !quiet) { input.focus(); }
    save(open);
  }
  if (mode === "inline") { wrap.classList.add("tw-open"); }
  bubble.setAttribute("aria-controls", "tw-panel");
  panel.id = "tw-panel";
  bubble.addEventListener("click", function () { setOpen(!wrap.classList.contains("tw-open")); });
  closeBtn.addEventListener("click", function () { setOpen(false); bubble.focus(); });
  panel.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && mode === "bubble") {
      ev.preventDefault();
      setOpen(false);
      bubble.focus();
    }
  });
  clearBtn.addEventListener("click", function () {
    turns = [];
    while (log.children.length > 1) { log.removeChild(log.lastChild); }
    save(true);
    input.focus();
  });
  exportBtn.addEventListener("click", function () {
    var blob = new Blob([markdown()], { type: "text/markdown;charset=utf-8" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = T.file;
    root.appendChild(a);
    a.click();
    root.removeChild(a);
    window.setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
  });

  function mdText(s) { return String(s || "").replace(/([\\`*_{}#<>|])/g, "\\$1").trim(); }
  // The conversation as Markdown: questions, answers and their numbered references.
  function markdown() {
    var out = ["# " + T.exportTitle, "", "_" + new Date().toISOString().slice(0, 16)
      .replace("T", " ") + " UTC_", ""];
    turns.forEach(function (turn, i) {
      out.push("## " + (i + 1) + ". " + T.question, "", mdText(turn.question), "");
      if (!turn.answer) {
        if (turn.error) { out.push("**" + T.answer + ":** " + mdText(turn.error), ""); }
        return;
      }
      var kind = answerability(turn.answer);
      out.push("**" + T.answer + (kind === "not_stated" ? " (" + T.notStated + ")" : "") +
        ":** " + mdText(turn.answer.answer), "");
      var cits = turn.answer.citations || [];
      if (cits.length) {
        out.push("**" + T.references + ":**", "");
        cits.forEach(function (c) {
          out.push(c.n + ". " + (c.reference_md || c.reference || c.chunk_id));
        });
        out.push("");
      }
    });
    return out.join("\n").replace(/\s+$/, "") + "\n";
  }
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
  });

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  // Marker [n]: a link to its card when the answer cites n, else plain text.
  function ref(id, n, numbers) {
    if (!numbers[n]) { return document.createTextNode("[" + n + "]"); }
    var a = el("a", "tw-ref", "[" + n + "]");
    a.href = "#" + id + "-" + n;
    a.setAttribute("data-n", String(n));
    return a;
  }

  function appendWithRefs(parent, s, id, numbers) {
    var re = /\[(\d{1,3})\]/g;
    var pos = 0;
    var m;
    while ((m = re.exec(s)) !== null) {
      parent.appendChild(document.createTextNode(s.slice(pos, m.index)));
      parent.appendChild(ref(id, m[1], numbers));
      pos = m.index + m[0].length;
    }
    parent.appendChild(document.createTextNode(s.slice(pos)));
  }

  // A generated answer sentence by sentence; unsupported sentences are marked.
  function appendSentences(parent, sentences, id, numbers) {
    sentences.forEach(function (st, i) {
      if (i) { parent.appendChild(document.createTextNode(" ")); }
      var span = el("span", "tw-sentence");
      span.appendChild(el("span", "tw-claim", st.text || ""));
      (st.n || []).forEach(function (n, j) {
        if (!j) { span.appendChild(document.createTextNode(" ")); }
        span.appendChild(ref(id, n, numbers));
      });
      if (st.supported === false) {
        span.classList.add("tw-unsupported");
        span.title = T.unsupportedHint;
        span.appendChild(document.createTextNode(" "));
        span.appendChild(el("span", "tw-unsupported-label", "(" + T.unsupported + ")"));
      }
      parent.appendChild(span);
    });
  }

  function newTabLink(href, text, cls) {
    var a = el("a", cls, text);
    a.href = new URL(href, base).href;
    a.target = "_blank";
    a.rel = "noopener";
    a.appendChild(el("span", "tw-sr", " (" + T.newTab + ")"));
    return a;
  }

  function copyText(text) {
    function done() { announce(T.copied); }
    function fallback() {
      var area = el("textarea", "tw-sr");
      area.value = text;
      area.setAttribute("readonly", "");
      root.appendChild(area);
      area.select();
      try { document.execCommand("copy"); } catch (e) { /* nothing to do */ }
      root.removeChild(area);
      done();
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  // Under a card: its reference with a copy button, the reader view, the operator's copy.
  function cardTools(c) {
    var tools = el("div", "tw-tools");
    if (c.reference) {
      var p = el("p", "tw-reference");
      p.appendChild(el("span", "tw-sr", T.reference + ": "));
      p.appendChild(el("span", "tw-ref-text", c.reference));
      tools.appendChild(p);
      var copy = el("button", "tw-copy", T.copy);
      copy.type = "button";
      copy.addEventListener("click", function () { copyText(c.reference); });
      tools.appendChild(copy);
    }
    if (c.read_url) { tools.appendChild(newTabLink(c.read_url, T.read, "tw-read")); }
    if (c.source_url) { tools.appendChild(newTabLink(c.source_url, T.sourcePage, "tw-source")); }
    return tools;
  }

  function renderAnswer(box, ans) {
    var id = "tw-a" + (++counter);
    var q = ans.question || "";
    var sq = ans.standalone_question || "";
    var ctx = sq.indexOf(q) === 0 ? sq.slice(q.length).trim() : sq;
    if (sq && sq !== q && ctx) {
      box.appendChild(el("div", "tw-context", T.followUp + ": " + ctx));
    }
    var kind = answerability(ans);
    if (kind === "not_stated") {
      box.classList.add("tw-not-stated");
      var note = el("div", "tw-kind");
      note.setAttribute("role", "note");
      note.appendChild(el("strong", null, T.notStated));
      note.appendChild(document.createTextNode(" " + T.notStatedHint));
      box.appendChild(note);
    }
    var text = el("p", "tw-text");
    var s = ans.answer || "";
    var numbers = {};
    (ans.citations || []).forEach(function (c) { numbers[c.n] = true; });
    var sentences = ans.sentences || [];
    if (ans.answered && ans.mode === "llm" && sentences.length) {
      appendSentences(text, sentences, id, numbers);
    } else {
      if (ans.answered && ans.fallback && ans.note) {  // why no generated answer: first
        box.appendChild(el("div", "tw-fallback", ans.note));
      }
      appendWithRefs(text, s, id, numbers);
    }
    box.appendChild(text);
    if (ans.answered && ans.mode === "llm" && sentences.length) {
      var ok = sentences.filter(function (st) { return st.supported !== false; }).length;
      box.appendChild(el("div", "tw-generated", T.generated.replace("{model}", ans.model || "?")
        .replace("{supported}", String(ok)).replace("{total}", String(sentences.length))));
    }
    if (kind === "off_topic") { box.classList.add("tw-refusal"); }
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
        det.appendChild(cardTools(c));
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
      if (card) {
        card.open = true;
        card.scrollIntoView({ block: "nearest" });
        card.querySelector("summary").focus({ preventScroll: true });
      }
    });
  }

  // Server-sent events in `buf`: handles the complete ones, returns the incomplete rest.
  function readEvents(buf, onEvent) {
    var blocks = buf.replace(/\r\n/g, "\n").split("\n\n");
    var rest = blocks.pop();
    blocks.forEach(function (block) {
      var name = "message";
      var lines = [];
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) { name = line.slice(6).trim(); }
        else if (line.indexOf("data:") === 0) { lines.push(line.slice(5).replace(/^ /, "")); }
      });
      if (!lines.length) { return; }
      var body;
      try { body = JSON.parse(lines.join("\n")); } catch (e) { return; }
      onEvent(name, body);
    });
    return rest;
  }

  function errorText(body) {
    return body && typeof body.error === "string" ? body.error : T.error;
  }

  // One turn on screen: the question and its answer (or error); returns the answer's box.
  function showTurn(turn) {
    var asked = el("div", "tw-msg tw-user", turn.question);
    log.appendChild(asked);
    var box = el("div", "tw-msg tw-bot");
    log.appendChild(box);
    if (turn.answer) { renderAnswer(box, turn.answer); }
    else if (turn.error) { box.classList.add("tw-error"); box.textContent = turn.error; }
    return { asked: asked, box: box };
  }

  var saved = load();
  if (saved && saved.turns && saved.turns.length) {
    saved.turns.forEach(function (turn) {
      if (turn && typeof turn.question === "string") { turns.push(turn); showTurn(turn); }
    });
    scrollDown();
  }
  if (saved && saved.open && mode === "bubble") { setOpen(true, true); }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var question = input.value.trim();
    if (!question || send.disabled) { return; }
    input.value = "";
    var turn = { question: question, answer: null, error: null };
    var earlier = history();
    var shown = showTurn(turn);
    var asked = shown.asked;
    var box = shown.box;
    box.classList.add("tw-pending");
    box.textContent = T.thinking;
    scrollDown();
    send.disabled = true;
    box.setAttribute("aria-busy", "true");
    var streamed = "";
    var draft = null;
    var done = false;

    function fail(message) {
      if (done) { return; }
      done = true;
      box.textContent = "";
      box.classList.remove("tw-pending", "tw-streaming");
      box.classList.add("tw-error");
      box.removeAttribute("aria-busy");
      box.textContent = message;
      turn.error = message;
      turns.push(turn);
      save(true);
      announce(message);
    }

    function onEvent(name, body) {
      if (done) { return; }
      if (name === "delta" && typeof body.text === "string") {
        // a draft: the final answer replaces it
        streamed += body.text;
        if (!draft) {
          box.textContent = "";
          box.classList.add("tw-streaming");
          draft = el("p", "tw-text tw-draft");
          box.appendChild(draft);
        }
        draft.textContent = streamed;
        scrollDown();
      } else if (name === "answer") {
        done = true;
        box.textContent = "";
        box.classList.remove("tw-pending", "tw-streaming");
        box.removeAttribute("aria-busy");
        renderAnswer(box, body);
        turn.answer = body;
        turns.push(turn);
        save(true);
        var kind = answerability(body);
        announce(T.ready + ": " + (kind === "not_stated" ? T.notStated + ". " : "") +
          (body.answer || "").replace(/\s*\[\d{1,3}\]/g, "").slice(0, 600));
        log.scrollTop = asked.offsetTop - 8;  // show the question and the top of its answer
      } else if (name === "error") {
        fail(errorText(body));
      }
    }

    fetch(new URL("api/ask/stream", base).href, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": lang,
                 "Accept": "text/event-stream" },
      body: JSON.stringify({ question: question, history: earlier })
    }).then(function (r) {
      if (!r.ok) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          fail(errorText(body));
        });
      }
      if (!r.body || !r.body.getReader) {
        return r.text().then(function (all) { readEvents(all + "\n\n", onEvent); });
      }
      var reader = r.body.getReader();
      var decoder = new TextDecoder();
      var buf = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) {
            readEvents(buf + decoder.decode() + "\n\n", onEvent);
            return;
          }
          buf = readEvents(buf + decoder.decode(chunk.value, { stream: true }), onEvent);
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      fail(T.error);
    }).then(function () {
      fail(T.error);  // the stream ended without an answer (no-op after one)
      send.disabled = false;
      if (box.classList.contains("tw-error")) { scrollDown(); }
    });
  });
}());
