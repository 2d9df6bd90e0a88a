"""Chat HTML: everything from users and the corpus is inert text; markers link to cards."""

from __future__ import annotations

from web.i18n import from_accept_language, request_lang
from web.render import answer_html, esc, quote_spans, user_html

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
