"""`finsam serve`: calendar feeds that Outlook, Google and Thunderbird subscribe to, and the documents finsam
wrote for the kansli (GET /dokument/{token}/{namn}, the link on the run's page: finsam.services.dokument).

GET /kalender/{token}.ics serves one insats's deadlines (a token for its insatsägare) or the
kansli's whole calendar. A wrong or revoked token gets 404 like any unknown address; nothing
lists the tokens (no index, no OpenAPI page). Responses carry an ETag and answer a matching
If-None-Match with 304; they are never compressed (gzip breaks Outlook subscriptions). A feed is built
once and kept until a deadline, its history or a meeting changes (finsam.services.calendars.FeedCache).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from finsam.db import read_only
from finsam.domain.rules_config import Regler
from finsam.services import dokument
from finsam.services.batch import ItemFailure, reason
from finsam.services.calendars import (
    Feed, FeedCache, calendar_stamp, feed, find_token, insats_calendar, kansli_calendar,
)


NOT_FOUND = "Hittades inte."
log = logging.getLogger("finsam.web")


def _not_found() -> PlainTextResponse:
    return PlainTextResponse(NOT_FOUND, status_code=404)


def create_app(database_url: str, regler: Regler) -> FastAPI:
    # No slash redirects: they would be built from the Host header the client sent.
    app = FastAPI(title="finsam kalender", docs_url=None, redoc_url=None, openapi_url=None, redirect_slashes=False)

    @app.exception_handler(StarletteHTTPException)
    async def _every_unknown_path_alike(_request: Request, _exc: StarletteHTTPException) -> Response:
        # An unknown path, a wrong method or a bad token: one answer, so nothing can be probed.
        return _not_found()

    @app.exception_handler(RequestValidationError)
    async def _bad_request_alike(_request: Request, _exc: RequestValidationError) -> Response:
        return _not_found()

    @app.exception_handler(Exception)
    async def _no_details(_request: Request, exc: Exception) -> Response:
        log.error("Kalenderflödet kunde inte byggas: %s", reason(exc))
        return PlainTextResponse("Tillfälligt fel; försök igen senare.", status_code=500)

    @app.get("/halsa", response_class=PlainTextResponse)
    def health() -> str:
        return "ok"

    feeds = FeedCache()
    app.state.feeds = feeds

    def built(make: Callable[[list[ItemFailure]], bytes]) -> Feed:
        skipped: list[ItemFailure] = []  # one broken deadline or meeting never takes the whole feed down
        body = make(skipped)
        for failure in skipped:
            log.error("Utelämnad ur kalenderflödet: %s", failure)
        return feed(body)

    @app.api_route("/kalender/{token}.ics", methods=["GET", "HEAD"])
    def calendar_feed(token: str, request: Request) -> Response:
        with read_only(database_url) as session:
            stamp = calendar_stamp(session)  # first: nothing the feed shows may be read before it
            row = find_token(session, token)
            if row is None:
                return _not_found()
            if row.insats is not None:
                insats, name = row.insats, f"rapporter-{row.insats_id}.ics"
                kept = feeds.get(stamp, ("insats", insats.id),
                                 lambda: built(lambda skipped: insats_calendar(session, insats, regler, failures=skipped)))
            else:
                name = "kansliet.ics"
                kept = feeds.get(stamp, "kansli",
                                 lambda: built(lambda skipped: kansli_calendar(session, regler, failures=skipped)))
        body, etag = kept.body, kept.etag
        headers = {
            "ETag": etag,
            "Cache-Control": "private, max-age=900",
            "Content-Disposition": f'inline; filename="{name}"',
        }
        if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
            return Response(status_code=304, headers=headers)
        return Response(content=body, media_type="text/calendar; charset=utf-8", headers=headers)

    @app.api_route("/dokument/{token}/{namn}", methods=["GET", "HEAD"])
    def document(token: str, namn: str) -> Response:
        with read_only(database_url) as session:
            row = dokument.find(session, token, namn)
            if row is None:
                return _not_found()
            body = row.innehall
        headers = {"Content-Disposition": f'attachment; filename="{namn}"', "Cache-Control": "private, no-store"}
        return Response(content=body, media_type=dokument.DOCX, headers=headers)

    return app
