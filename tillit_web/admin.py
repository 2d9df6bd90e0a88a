"""``/admin``: the editors' insights (only with ``TILLIT_INSIGHTS=true``, only for an
administrator: ``TILLIT_ADMIN_TOKEN``, or ``TILLIT_ADMIN_GROUP`` behind the authenticating
proxy), with CSV export."""

from __future__ import annotations

import html
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from tillit_web.auth import is_admin
from tillit_web.i18n import LANGS, from_accept_language, t
from tillit_web.insights import InsightsStore
from tillit_web.shell import page
from tillit_web.state import WebState

WHY = {"not_stated": "insights_not_stated", "off_topic": "insights_off_topic",
       "thumbs_down": "insights_thumbs_down"}


def insights_html(store: InsightsStore, lang: str, retention_days: int) -> str:
    """The insights page: a table per day and the list of questions."""
    def e(key: str) -> str:
        return html.escape(t(lang, key))

    days = store.days()
    head = "".join(f'<th scope="col">{e(k)}</th>' for k in (
        "insights_day", "insights_questions", "insights_answered", "insights_not_stated",
        "insights_off_topic", "insights_up", "insights_down"))
    rows = "".join(
        f'<tr><th scope="row">{html.escape(d.day)}</th><td>{d.questions}</td>'
        + "".join(f"<td>{getattr(d, k)} ({d.share(k):.0%})</td>"
                  for k in ("answered", "not_stated", "off_topic"))
        + f"<td>{d.up}</td><td>{d.down}</td></tr>" for d in days)
    table = (f'<div class="ad-scroll" tabindex="0" role="region" aria-label="{e("insights_days")}">'
             f'<table id="insights-days"><caption>{e("insights_days")}</caption>'
             f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
             if days else f"<p>{e('insights_none')}</p>")
    questions = store.questions()
    items = "".join(
        f'<li><span class="ad-day">{html.escape(q["day"])}</span> '
        f'<span class="ad-why">{e(WHY.get(q["why"], "insights_off_topic"))}</span> '
        f'<span lang="{html.escape(q["language"] or lang)}">{html.escape(q["question"])}</span>'
        f"</li>" for q in questions)
    listing = (f'<ul id="insights-questions">{items}</ul>' if questions
               else f"<p>{e('insights_none')}</p>")
    intro = html.escape(t(lang, "insights_intro").format(days=retention_days))
    body = (f'<main id="main" class="rd-main ad-main"><h1>{e("insights_title")}</h1>'
            f"<p>{intro}</p><h2>{e('insights_days')}</h2>{table}"
            f'<p><a href="admin/insights.csv" download>{e("insights_csv")}</a></p>'
            f"<h2>{e('insights_list')}</h2>{listing}"
            f'<p><a href="admin/questions.csv" download>{e("insights_csv")}</a></p></main>')
    return page(t(lang, "insights_title") + " – Tillit", lang, body)


def make_router(state: WebState) -> APIRouter:
    """The admin routes (404 while insights are off)."""
    router = APIRouter(include_in_schema=False)
    web = state.web

    def allowed(request: Request) -> Response | None:
        if state.insights is None:
            return Response(status_code=404)
        headers = {k.lower().encode("latin-1"): v.encode("latin-1")
                   for k, v in request.headers.items()}
        token = web.admin_token.get_secret_value() if web.admin_token else None
        if is_admin(headers, token, web.admin_group, web.auth_header, web.auth_groups_header):
            return None
        lang = from_accept_language(request.headers.get("accept-language"))
        challenge = {"WWW-Authenticate": 'Basic realm="Tillit admin", charset="UTF-8"'}
        return Response(t(lang, "admin_denied"), status_code=401 if token else 403,
                        media_type="text/plain; charset=utf-8",
                        headers={**(challenge if token else {}), "Cache-Control": "no-store"})

    @router.get("/admin", response_class=HTMLResponse)
    async def admin(request: Request) -> Response:
        denied = allowed(request)
        if denied is not None:
            return denied
        assert state.insights is not None
        q = request.query_params.get("lang")
        lang = q if q in LANGS else from_accept_language(request.headers.get("accept-language"))
        return HTMLResponse(insights_html(state.insights, lang, web.insights_retention_days),
                            headers={"Cache-Control": "no-store"})

    def csv_download(request: Request, filename: str,
                     table: Callable[[InsightsStore], str]) -> Response:
        denied = allowed(request)
        if denied is not None:
            return denied
        assert state.insights is not None
        return Response(table(state.insights), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                 "Cache-Control": "no-store"})

    @router.get("/admin/insights.csv")
    async def days_csv(request: Request) -> Response:
        return csv_download(request, "insights.csv", InsightsStore.days_csv)

    @router.get("/admin/questions.csv")
    async def questions_csv(request: Request) -> Response:
        return csv_download(request, "questions.csv", InsightsStore.questions_csv)

    return router
