"""User-facing strings in Swedish and English, and picking the language of a request."""

from __future__ import annotations

from collections.abc import Mapping

from assistant.language import looks_swedish

LANGS = ("sv", "en")
DEFAULT_LANG = "sv"

STRINGS: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Tillit – fråga antologin",
        "subtitle": "Ställ frågor om antologin *Styra och leda med tillit* (SOU 2018:38). "
        "Svaren citerar boken och hänvisar till kapitel, avsnitt och sida.",
        "placeholder": "Skriv din fråga här …",
        "send": "Skicka",
        "retry": "Försök igen",
        "undo": "Ångra",
        "clear": "Rensa",
        "examples": "Ämnen att fråga om",
        "language": "Språk",
        "chat_label": "Samtal",
        "about": "Om tjänsten",
        "sources": "Källor",
        "interpreted": "Uppfattad som uppföljning av",
        "no_answer": "Antologin verkar inte svara på den frågan.",
        "comment_label": "Kommentar till din bedömning (valfritt)",
        "comment_send": "Skicka kommentar",
        "thanks": "Tack för din återkoppling!",
        "comment_saved": "Tack, kommentaren är sparad.",
        "error": "Något gick fel. Försök igen om en stund.",
        "unavailable": "Tjänsten är inte redo: indexet saknas eller är skadat.",
        "about_body": "Svaren bygger bara på antologins text och hänvisar till kapitel, avsnitt "
        "och sida. Svaren kan vara fel: kontrollera dem i källan.",
        "about_chapters": "Kapitel",
        "about_chunks": "Textstycken i indexet",
        "about_embedder": "Inbäddningsmodell",
        "about_date": "Indexet byggt",
        "widget_open": "Fråga om tillit",
        "widget_close": "Stäng",
        "unsupported": "ej belagt i källorna",
        "unsupported_hint": "Den här meningen kunde inte beläggas i de citerade styckena: "
        "läs källan innan du litar på den.",
        "generated": "Svaret är formulerat av språkmodellen {model}. Varje mening har "
        "kontrollerats mot källorna: {supported} av {total} är belagda.",
        "draft": "Utkast: svaret kontrolleras mot källorna när det är klart.",
        "about_llm": "Språkmodell",
        "about_llm_none": "ingen (svaren citerar boken ordagrant)",
        "about_llm_problem": "kunde inte laddas, svaren citerar boken",
        "not_stated": "Står inte i antologin",
        "not_stated_hint": "Antologin tar upp ämnet men ger inte det du frågar efter. "
        "Styckena nedan är de som ligger närmast.",
        "read_in_context": "Läs i sammanhang",
        "source_page": "Sidan i er kopia",
        "new_tab": "öppnas i ny flik",
        "copy_reference": "Kopiera referens",
        "copied": "Referensen är kopierad.",
        "reference": "Referens",
        "export": "Exportera samtalet (Markdown)",
        "export_title": "Samtal med Tillit",
        "question": "Fråga",
        "answer": "Svar",
        "references": "Referenser",
        "reader_prev": "Föregående avsnitt",
        "reader_next": "Nästa avsnitt",
        "reader_cited": "Citerat stycke",
        "reader_footnotes": "Fotnoter",
        "reader_back": "Till chatten",
        "reader_missing": "Stycket finns inte i indexet (det kan ha byggts om).",
        "chapter": "Kapitel",
        "pages": "s.",
        "of_chapter": "i kapitlet",
        "breadcrumb": "Var i boken",
        "sections_nav": "Avsnitt",
        "insights_title": "Insikter för redaktörerna",
        "insights_intro": "Frågor per dag och hur de besvarades, omdömen, och de frågor som "
        "antologin inte besvarade eller som fick tummen ned. Sparas i {days} dagar.",
        "insights_days": "Per dag",
        "insights_day": "Dag",
        "insights_questions": "Frågor",
        "insights_answered": "Besvarade",
        "insights_not_stated": "Står inte i antologin",
        "insights_off_topic": "Utanför ämnet",
        "insights_up": "Tummen upp",
        "insights_down": "Tummen ned",
        "insights_list": "Obesvarade frågor och tummen ned",
        "insights_why": "Varför",
        "insights_thumbs_down": "tummen ned",
        "insights_none": "Inget ännu.",
        "insights_csv": "Ladda ned som CSV",
        "insights_language": "Språk",
        "admin_denied": "Sidan kräver administratörsbehörighet (TILLIT_ADMIN_TOKEN eller "
        "TILLIT_ADMIN_GROUP).",
        "answer_ready": "Svaret är klart",
    },
    "en": {
        "title": "Tillit – ask the anthology",
        "subtitle": "Ask questions about the anthology *Styra och leda med tillit* "
        "(Governing and leading with trust, SOU 2018:38). Answers quote the book and "
        "refer to chapter, section and page.",
        "placeholder": "Type your question here …",
        "send": "Send",
        "retry": "Retry",
        "undo": "Undo",
        "clear": "Clear",
        "examples": "Topics to ask about",
        "language": "Language",
        "chat_label": "Conversation",
        "about": "About",
        "sources": "Sources",
        "interpreted": "Understood as a follow-up to",
        "no_answer": "The anthology does not seem to answer that question.",
        "comment_label": "Comment on your rating (optional)",
        "comment_send": "Send comment",
        "thanks": "Thank you for your feedback!",
        "comment_saved": "Thank you, your comment is saved.",
        "error": "Something went wrong. Please try again in a moment.",
        "unavailable": "The service is not ready: the index is missing or damaged.",
        "about_body": "The service answers from the anthology only and quotes the passages "
        "its answer rests on. It can be wrong: always read the source.",
        "about_chapters": "Chapters",
        "about_chunks": "Text passages in the index",
        "about_embedder": "Embedding model",
        "about_date": "Index built",
        "widget_open": "Ask about trust",
        "widget_close": "Close",
        "unsupported": "not supported by the sources",
        "unsupported_hint": "This sentence could not be supported by the cited passages: "
        "read the source before relying on it.",
        "generated": "The answer was written by the language model {model}. Every sentence "
        "was checked against the sources: {supported} of {total} are supported.",
        "draft": "Draft: the answer is checked against the sources once it is complete.",
        "about_llm": "Language model",
        "about_llm_none": "none (answers quote the book verbatim)",
        "about_llm_problem": "could not be loaded, answers quote the book",
        "not_stated": "Not stated in the anthology",
        "not_stated_hint": "The anthology discusses the subject but does not give what you "
        "ask for. The passages below are the closest ones.",
        "read_in_context": "Read in context",
        "source_page": "The page in your copy",
        "new_tab": "opens in a new tab",
        "copy_reference": "Copy reference",
        "copied": "Reference copied.",
        "reference": "Reference",
        "export": "Export the conversation (Markdown)",
        "export_title": "Conversation with Tillit",
        "question": "Question",
        "answer": "Answer",
        "references": "References",
        "reader_prev": "Previous section",
        "reader_next": "Next section",
        "reader_cited": "Cited passage",
        "reader_footnotes": "Footnotes",
        "reader_back": "Back to the chat",
        "reader_missing": "The passage is not in the index (it may have been rebuilt).",
        "chapter": "Chapter",
        "pages": "p.",
        "of_chapter": "of the chapter",
        "breadcrumb": "Where in the book",
        "sections_nav": "Sections",
        "insights_title": "Insights for the editors",
        "insights_intro": "Questions per day and how they were answered, votes, and the "
        "questions the anthology did not answer or that got a thumbs-down. Kept {days} days.",
        "insights_days": "Per day",
        "insights_day": "Day",
        "insights_questions": "Questions",
        "insights_answered": "Answered",
        "insights_not_stated": "Not stated in the anthology",
        "insights_off_topic": "Off topic",
        "insights_up": "Thumbs up",
        "insights_down": "Thumbs down",
        "insights_list": "Unanswered questions and thumbs-down",
        "insights_why": "Why",
        "insights_thumbs_down": "thumbs down",
        "insights_none": "Nothing yet.",
        "insights_csv": "Download as CSV",
        "insights_language": "Language",
        "admin_denied": "This page needs administrator rights (TILLIT_ADMIN_TOKEN or "
        "TILLIT_ADMIN_GROUP).",
        "answer_ready": "The answer is ready",
    },
}

# Topics, not questions: nothing the product shows may be a twin of an evaluation question.
EXAMPLES: dict[str, list[str]] = {
    "sv": [
        "Tillit som styrprincip",
        "Professionernas handlingsutrymme",
        "Kontroll och uppföljning",
    ],
    "en": [
        "Trust as a steering principle",
        "Room for professional judgement",
        "Control and follow-up",
    ],
}

# Messages of the HTTP API that do not come from the core.
API_MESSAGES: dict[str, dict[str, str]] = {
    "sv": {
        "body_too_large": "Förfrågan är för stor (högst {limit} byte).",
        "bad_json": "Förfrågan är inte giltig JSON.",
        "invalid": "Ogiltig förfrågan: {detail}",
        "history_too_long": "Historiken är för lång ({n} frågor; högst {limit}).",
        "field_too_long": "Fältet '{field}' är för långt ({n} tecken; högst {limit}).",
        "internal": "Ett internt fel inträffade. Försök igen senare.",
        "unavailable": "Tjänsten är inte redo: indexet saknas eller är skadat.",
        "not_found": "Adressen finns inte.",
        "method_not_allowed": "Metoden är inte tillåten för den här adressen.",
        "overloaded": "Tjänsten är hårt belastad just nu. Försök igen om {seconds} sekunder.",
        "rate_limited": "För många frågor på kort tid. Försök igen om {seconds} sekunder.",
    },
    "en": {
        "body_too_large": "The request is too large (at most {limit} bytes).",
        "bad_json": "The request body is not valid JSON.",
        "invalid": "Invalid request: {detail}",
        "history_too_long": "The history is too long ({n} questions; at most {limit}).",
        "field_too_long": "The field '{field}' is too long ({n} characters; at most {limit}).",
        "internal": "An internal error occurred. Please try again later.",
        "unavailable": "The service is not ready: the index is missing or damaged.",
        "not_found": "Not found.",
        "method_not_allowed": "Method not allowed for this address.",
        "overloaded": "The service is busy right now. Please try again in {seconds} seconds.",
        "rate_limited": "Too many questions in a short time. Please try again in {seconds} "
        "seconds.",
    },
}


def t(lang: str, key: str) -> str:
    """The UI string ``key`` in ``lang`` (falls back to Swedish)."""
    return STRINGS.get(lang, STRINGS[DEFAULT_LANG])[key]


def api_message(lang: str, key: str, **kwargs: object) -> str:
    """An API error message in ``lang`` with its placeholders filled."""
    return API_MESSAGES.get(lang, API_MESSAGES["en"])[key].format(**kwargs)


def from_accept_language(header: str | None, default: str = DEFAULT_LANG) -> str:
    """The first supported language in an Accept-Language header, by quality."""
    if not header:
        return default
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        bits = part.strip().split(";")
        tag = bits[0].strip().lower()
        q = 1.0
        for b in bits[1:]:
            b = b.strip()
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        primary = tag.split("-")[0]
        if primary in ("nb", "nn", "no", "da"):  # Scandinavian readers: Swedish
            primary = "sv"
        if primary in LANGS and q > 0:
            ranked.append((-q, i, primary))
    return sorted(ranked)[0][2] if ranked else default


def request_lang(
    body_lang: object, headers: Mapping[str, str], text: str | None = None
) -> str:
    """Language for messages to a client: explicit ``lang``, else Accept-Language, else text."""
    if isinstance(body_lang, str) and body_lang in LANGS:
        return body_lang
    header = headers.get("accept-language")
    if header:
        return from_accept_language(header, "en")
    if text and looks_swedish(text):
        return "sv"
    return "en"
