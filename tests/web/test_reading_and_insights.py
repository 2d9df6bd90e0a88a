"""Reader view, references, Markdown export, not_stated replies, the editors' insights and
the chat page's social meta (HTTP level; the browser tests cover the same in Chromium)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from tests.web.sse import read_events
from tillit_web.answers import answerability
from tillit_web.export import conversation_markdown
from tillit_web.insights import InsightsStore
from tillit_web.references import Book, Source, reference_text
from tillit_web.render import not_stated_html

SV_Q = "Vad är tillitsbaserad styrning?"
OFF_TOPIC = "Hur lagar man en punktering på en cykel?"
ADMIN = "admin-token-0123456789"
REFERENCE = re.compile(r"^Louise Bringselius \(2018\)\. Inledning\. I: Styra och leda med tillit "
                       r"– Forskning och praktik\. SOU 2018:38, s\. \d+\.$")

NOT_STATED: dict[str, Any] = {
    "question": "Hur många myndigheter deltog?", "standalone_question": "Hur många myndigheter "
    "deltog?", "language": "sv", "answered": False, "answerability": "not_stated",
    "answer": "Antologin tar upp myndigheterna men anger inte hur många de var [1].",
    "mode": "extractive", "citations": [{
        "n": 1, "chunk_id": "kap01:1.1:002", "chapter": 1, "chapter_title": "Inledning",
        "section": "1.1", "section_title": "Inledning", "page": 5, "text": "Passagen.",
        "quote": "Passagen.", "score": 0.5, "authors": "Louise Bringselius",
        "page_label": "s. 5 i kapitlet", "reference": "R1", "reference_md": "R1 *md*",
        "read_url": "read/kap01%3A1.1%3A002?lang=sv#tillit-cited", "source_url": None}],
}


def test_answerability_uses_the_core_field_else_answered() -> None:
    assert answerability(NOT_STATED) == "not_stated"
    assert answerability({"answered": True}) == "answered"
    assert answerability({"answered": False}) == "off_topic"
    assert answerability({"answered": False, "answerability": "bogus"}) == "off_topic"


def test_not_stated_renders_as_its_own_kind_with_cards() -> None:
    out = not_stated_html(NOT_STATED, "t1", "sv")
    assert "tillit-not-stated" in out and "Står inte i antologin" in out
    assert 'role="note"' in out and "tillit-error" not in out
    assert 'href="#tillit-t1-c1"' in out and 'id="tillit-t1-c1"' in out  # its citation card
    assert "Kopiera referens" in out and "Läs i sammanhang" in out
    assert "Not stated in the anthology" in not_stated_html(NOT_STATED, "t1", "en")


def test_reference_lists_authors_year_chapter_book_series_page() -> None:
    src = Source(("Anna A", "Bo B", "Cia C"), 2, "Tillit i praktiken.", Book())
    sv = reference_text({"page": 57}, src, "sv")
    assert sv == ("Anna A, Bo B och Cia C (2018). Tillit i praktiken. I: Styra och leda med "
                  "tillit – Forskning och praktik. SOU 2018:38, s. 57.")
    en = reference_text({"page": 57}, src, "en", markdown=True)
    assert en.endswith("In: *Styra och leda med tillit – Forskning och praktik*. "
                       "SOU 2018:38, p. 57.") and " and Cia C" in en


def test_markdown_export_numbers_references_and_marks_not_stated() -> None:
    md = conversation_markdown([
        {"question": "Vad är *tillit*?", "answer": NOT_STATED, "error": None},
        {"question": "Och sen?", "answer": None, "error": "Något gick fel."},
    ], "sv")
    assert md.startswith("# Samtal med Tillit")
    assert "## 1. Fråga\n\nVad är \\*tillit\\*?" in md
    assert "**Svar (Står inte i antologin):** Antologin tar upp" in md
    assert "**Referenser:**\n\n1. R1 *md*" in md
    assert "## 2. Fråga" in md and "Något gick fel." in md


def test_api_answers_carry_references_reader_and_source_links(
    start_server: Any, settings: Any, assistant: Any
) -> None:
    server = start_server(settings, assistant,
                          source_url="https://intranet.example/sou-2018-38.pdf#page={page}")
    body = httpx.post(server.url + "/api/ask", json={"question": SV_Q}, timeout=60).json()
    assert body["answerability"] == "answered"
    c = body["citations"][0]
    assert REFERENCE.match(c["reference"]), c["reference"]
    assert "*Styra och leda med tillit – Forskning och praktik*" in c["reference_md"]
    assert c["read_url"].startswith("read/") and c["read_url"].endswith("#tillit-cited")
    assert c["source_url"] == f"https://intranet.example/sou-2018-38.pdf#page={c['page']}"
    # the stream's final answer is the same object
    with httpx.stream("POST", server.url + "/api/ask/stream", json={"question": SV_Q},
                      timeout=60) as r:
        events = read_events(r)
    final = next(d for e, d in events if e == "answer")
    assert final["citations"][0]["reference"] == c["reference"]
    # the reader view shows the section with the passage highlighted
    page = httpx.get(server.url + "/" + c["read_url"].split("#")[0], timeout=30)
    assert page.status_code == 200
    html = page.text
    assert '<html lang="sv">' in html and 'id="tillit-cited"' in html
    cited = re.search(r'id="tillit-cited".*?<mark>(.*?)</mark>', html, re.S)
    assert cited and c["text"][:40].replace("”", "") in re.sub(r"<[^>]+>|&#x27;", "",
                                                               cited.group(1)).replace("”", "")
    assert f"<h1>{c['section']} {c['section_title']}</h1>" in html
    assert 'rel="prev"' in html or 'rel="next"' in html
    assert "Louise Bringselius" in html and "Kapitel 1 Inledning" in html
    assert httpx.get(server.url + "/read/no-such-chunk", timeout=30).status_code == 404


def test_reader_joins_overlapping_chunks_without_repeating_text(assistant: Any) -> None:
    from tillit_web.reader import merged_text

    index = assistant.index
    section, _, _ = index.section_context(index.chunks[10].chunk_id)
    text = [c for c in section if c.kind != "footnote"]
    assert len(text) >= 3
    pieces = merged_text(text, text[1].chunk_id)
    joined = "".join(p for p, _ in pieces)
    assert [p for p, cited in pieces if cited] == [text[1].text]  # the cited chunk in full
    assert all(c.text in joined for c in text)  # nothing is lost …
    span = max(c.char_end for c in text) - min(c.char_start for c in text)
    assert span <= len(joined) <= span + 2 * len(text)  # … and no overlap is shown twice
    assert len(joined) < sum(len(c.text) for c in text)


def test_social_meta_names_tillit_and_no_outside_host(server: Any) -> None:
    html = httpx.get(server.url + "/", timeout=30).text
    metas = re.findall(r"<meta\s[^>]*(?:og:|twitter:)[^>]*>", html)
    assert any('og:title" content="Tillit' in m for m in metas)
    assert any("og:description" in m for m in metas)
    assert not any("gradio" in m.lower() or "://" in m for m in metas), metas


def test_insights_off_stores_nothing(start_server: Any, settings: Any, assistant: Any) -> None:
    server = start_server(settings, assistant)
    httpx.post(server.url + "/api/ask", json={"question": OFF_TOPIC}, timeout=60)
    httpx.post(server.url + "/api/feedback", json={"question": OFF_TOPIC, "answer": "x",
                                                   "vote": "down"}, timeout=30)
    assert not (settings.data_dir / "insights.sqlite3").exists()
    assert server.server.config.app.state.tillit.insights is None
    assert httpx.get(server.url + "/admin", timeout=30).status_code == 404


def test_insights_count_answers_and_votes_for_admins_only(
    start_server: Any, settings: Any, assistant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The store's clock stands still: run over midnight (UTC), the test still finds every
    # record on the one day it expects.
    now = datetime.now(UTC)
    monkeypatch.setattr("tillit_web.insights.datetime", SimpleNamespace(now=lambda tz=None: now))
    server = start_server(settings, assistant, insights=True, admin_token=ADMIN)
    for q in (SV_Q, OFF_TOPIC):
        assert httpx.post(server.url + "/api/ask", json={"question": q},
                          timeout=60).status_code == 200
    httpx.post(server.url + "/api/feedback", json={"question": SV_Q, "answer": "x",
                                                   "vote": "down", "lang": "sv"}, timeout=30)
    httpx.post(server.url + "/api/feedback", json={"question": SV_Q, "answer": "x",
                                                   "vote": "up"}, timeout=30)
    denied = httpx.get(server.url + "/admin", timeout=30)
    assert denied.status_code == 401 and "Basic" in denied.headers["www-authenticate"]
    auth = {"Authorization": f"Bearer {ADMIN}"}
    assert httpx.get(server.url + "/admin", headers={"Authorization": "Bearer wrong-token-xx"},
                     timeout=30).status_code == 401
    page = httpx.get(server.url + "/admin", headers=auth, timeout=30)
    assert page.status_code == 200
    today = now.date().isoformat()
    row = re.search(rf'<tr><th scope="row">{today}</th>(.*?)</tr>', page.text)
    assert row and re.findall(r"<td>([^<]*)</td>", row.group(1)) == [
        "2", "1 (50%)", "0 (0%)", "1 (50%)", "1", "1"]
    listed = re.findall(r'<span lang="\w+">([^<]*)</span></li>', page.text)
    assert listed == [SV_Q, OFF_TOPIC]  # the thumbs-down, then the unanswered one
    csv = httpx.get(server.url + "/admin/insights.csv", headers=auth, timeout=30)
    assert csv.text.splitlines()[1] == f"{today},2,1,0,1,0.500,0.000,0.500,1,1"
    questions = httpx.get(server.url + "/admin/questions.csv", headers=auth, timeout=30).text
    assert OFF_TOPIC in questions and "off_topic" in questions and "thumbs_down" in questions


def test_admin_group_behind_the_proxy(start_server: Any, settings: Any, assistant: Any) -> None:
    server = start_server(settings, assistant, insights=True, auth_header="X-Remote-User",
                          admin_group="tillit-redaktion")
    user = {"X-Remote-User": "anna"}
    assert httpx.get(server.url + "/admin", headers=user, timeout=30).status_code == 403
    ok = httpx.get(server.url + "/admin", timeout=30, headers={
        **user, "X-Remote-Groups": "staff, tillit-redaktion"})
    assert ok.status_code == 200 and "Insikter för redaktörerna" in ok.text


def test_insights_keep_question_text_only_when_needed_and_expire(tmp_path: Any) -> None:
    store = InsightsStore(tmp_path / "i.sqlite3", retention_days=90)
    now = datetime.now(UTC)  # one instant for all: on one day even when run over midnight
    old = now - timedelta(days=91)
    store.record_answer("gammal fråga", "off_topic", "sv", "ui", now=old)
    store.record_answer("besvarad", "answered", "sv", "ui", now=now)
    store.record_answer("står inte", "not_stated", "sv", "ui", now=now)
    store.record_vote("bra svar", 1, "sv", "ui", now=now)
    assert [q["question"] for q in store.questions()] == ["står inte"]
    days = store.days()
    assert len(days) == 1 and (days[0].questions, days[0].answered, days[0].not_stated) == (
        2, 1, 1)
    with pytest.raises(ValueError):
        store.record_answer("x", "maybe", "sv", "ui")


def test_cli_help_describes_the_tool() -> None:
    out = subprocess.run([sys.executable, "-m", "tillit", "--help"], capture_output=True,
                         text=True, check=True).stdout
    assert "Ask the anthology Styra och leda med tillit" in out
    assert "quote the book" in out and "tillit index" in out
