"""Chat HTML: everything from users and the corpus is inert text; markers link to cards."""

from __future__ import annotations

from tillit_web.i18n import from_accept_language, request_lang
from tillit_web.render import (
    answer_dict_html,
    answer_html,
    esc,
    quote_spans,
    user_html,
)

CIT = {"n": 1, "chunk_id": "k:1", "chapter": 1, "chapter_title": "Inledning", "section": "1.2",
       "section_title": "Tillit <b>", "page": 8, "text": "Före. <i>Mitt</i> [2]. Efter.",
       "quote": "<i>Mitt</i> [2].", "score": 1.0, "authors": "A & B"}


def test_user_text_is_escaped() -> None:
    out = user_html('<img src=x onerror=alert(1)> *fet* $$x$$ [1](javascript:alert(1))')
    assert "<img" not in out and "&lt;img" in out
    assert "*" not in out and "$" not in out and "[" not in out and "](" not in out


def test_answer_links_markers_to_cards_and_marks_quote() -> None:
    out = answer_html("Svar <script>x</script> [1] och [7].", [CIT], "abc", "sv")
    assert "<script" not in out and "&lt;script&gt;" in out
    assert out.count('href="#tillit-abc-c1"') == 1 and 'id="tillit-abc-c1"' in out
    assert "&#91;7&#93;" in out and "tillit-abc-c7" not in out  # unknown marker: plain text
    assert "<mark>&lt;i&gt;Mitt&lt;/i&gt; &#91;2&#93;.</mark>" in out
    assert "kap. 1 Inledning, avsnitt 1.2 Tillit &lt;b&gt;, s. 8" in out
    assert "A &amp; B" in out
    assert "\n\n" not in out  # one HTML block: Markdown leaves it alone


def test_streaming_piece_has_no_cards_and_english_labels() -> None:
    assert "tillit-card" not in answer_html("Svar [1]", [CIT], "p", "sv", final=False)
    assert "ch. 1 Inledning, section 1.2" in answer_html("A [1]", [CIT], "p", "en")


def test_quote_with_gap_highlights_each_sentence() -> None:
    text = "Ett. Två tre. Fyra. Fem sex."
    assert quote_spans(text, "Två tre. … Fem sex.") == [(5, 13), (20, 28)]
    assert quote_spans(text, "Saknas.") == []
    assert esc("a\n\nb") == "a<br><br>b"


def test_language_from_headers() -> None:
    assert from_accept_language("en-US,en;q=0.9,sv;q=0.8") == "en"
    assert from_accept_language("de-DE,sv;q=0.5,en;q=0.4") == "sv"
    assert from_accept_language("nb-NO") == "sv"
    assert from_accept_language("fr", default="en") == "en"
    assert request_lang("en", {"accept-language": "sv"}) == "en"
    assert request_lang(None, {}, "Vad är tillit?") == "sv"
    assert request_lang(None, {}, "What is trust?") == "en"


LLM = {
    "question": "Vad är tillit?", "standalone_question": "Vad är tillit?", "language": "sv",
    "answered": True, "mode": "llm", "model": "fake <b>model</b>", "fallback": None,
    "answer": "Belagd <i>mening</i>. [1] Påhittad mening. [3] (ej belagt i källorna)",
    "citations": [CIT],
    "sentences": [
        {"text": "Belagd <i>mening</i>.", "n": [1], "supported": True, "support": 0.9},
        {"text": "Påhittad mening.", "n": [3], "supported": False, "support": 0.2},
    ],
}


def test_generated_answer_marks_unsupported_sentences() -> None:
    out = answer_dict_html(LLM, "abc", "sv")
    assert "<i>" not in out and "&lt;i&gt;mening&lt;/i&gt;" in out
    assert out.count("tillit-unsupported\"") == 1 and out.count("tillit-sentence") == 2
    supported, unsupported = out.split('class="tillit-sentence tillit-unsupported"')
    assert "Belagd" in supported and "ej belagt" not in supported
    assert "Påhittad mening." in unsupported
    assert "(ej belagt i källorna)</span>" in unsupported
    assert 'title="Den här meningen kunde inte beläggas' in unsupported
    assert 'href="#tillit-abc-c1"' in supported
    assert "&#91;3&#93;" in unsupported and "tillit-abc-c3" not in out  # no such card
    assert "fake &lt;b&gt;model&lt;/b&gt;" in out and "1 av 2 är belagda" in out
    assert 'id="tillit-abc-c1"' in out and "\n\n" not in out
    en = answer_dict_html(LLM, "abc", "en")
    assert "(not supported by the sources)" in en and "ej belagt" not in en
    assert "1 of 2 are supported" in en


def test_fallback_note_is_a_notice_and_quoted_answers_look_as_before() -> None:
    note = "Språkmodellen kunde inte svara, så här är de mest relevanta citaten i stället."
    quoted = {**LLM, "mode": "extractive", "fallback": "error", "model": "m",
              "note": note, "answer": "Enligt antologin: ”Mitt” [1]",
              "sentences": [{"text": "Mitt", "n": [1], "supported": True, "support": 1.0}]}
    out = answer_dict_html(quoted, "q", "sv")
    assert f'<div class="tillit-fallback" role="note">{note}</div>' in out
    text = out.split('<div class="tillit-text">')[1]
    assert text.startswith("Enligt antologin") and "Språkmodellen" not in text
    assert "tillit-unsupported" not in out and "tillit-generated" not in out
    plain = {**quoted, "fallback": None, "answer": "Enligt antologin: ”Mitt” [1]"}
    assert answer_dict_html(plain, "q", "sv") == answer_html(plain["answer"], [CIT], "q", "sv")


def test_draft_is_marked_until_final() -> None:
    draft = answer_html("Råa <b>tokens</b> [9]", [], "d", "sv", final=False, draft=True)
    assert "tillit-draft" in draft and "tillit-streaming" in draft and "Utkast" in draft
    assert "<b>" not in draft and "&#91;9&#93;" in draft
    assert "tillit-draft" not in answer_html("x", [], "d", "sv", final=False)
