"""The route class of console pages: errors become pages, not problem documents.

A console route raises what the services raise. This class turns it into what a person in a
browser should see: not signed in (or the session ended) -> the sign-in page, remembering
where they were going; an object outside their series, or a malformed id -> the same 404
page as an unknown one; any other refusal -> a page that says why. A handler that wants to
answer a form error with the form again raises :class:`PageResponse`; so does this class for
every error. The exception passes through the database session dependency first, so whatever
the request wrote is rolled back, and the app's handler for it then sends the page.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from app.console.rendering import is_htmx, page
from app.errors import DomainError, Unauthenticated
from app.kit.csrf import require_csrf
from app.users.signin import SESSION_COOKIE

NOT_FOUND_TEXT = "There is nothing at this address, or it belongs to a series you are not in."


class PageResponse(Exception):  # a control-flow signal, not an error
    """Answer with ``response`` after the request's writes are rolled back."""

    def __init__(self, response: Response) -> None:
        super().__init__("page response")
        self.response = response


def error_page(request: Request, status: int, heading: str, text: str) -> HTMLResponse:
    return page(
        request,
        "console/error.html",
        {"heading": heading, "text": text, "status": status},
        status_code=status,
    )


def not_found_page(request: Request) -> HTMLResponse:
    return error_page(request, 404, "Not found", NOT_FOUND_TEXT)


def sign_in_redirect(request: Request) -> Response:
    """To the sign-in page, coming back here afterwards (htmx follows ``HX-Redirect``)."""
    target = request.url.path if request.method == "GET" and not is_htmx(request) else "/console"
    location = f"/sign-in?next={quote(target, safe='/')}"
    if request.cookies.get(SESSION_COOKIE):
        location += "&ended=1"  # the browser had a session: say that it ended
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


class ConsoleRoute(APIRoute):
    """An APIRoute whose errors are rendered as console pages.

    Every failure leaves the handler as a :class:`PageResponse`, so it passes through the
    request's dependencies first (the database session rolls back) and is then answered by
    :func:`answer_page_response`, which ``install_console_errors`` registers.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except PageResponse:
                raise
            except Unauthenticated:
                raise PageResponse(sign_in_redirect(request)) from None
            except RequestValidationError as exc:
                if any(error.get("loc", ("",))[0] == "path" for error in exc.errors()):
                    raise PageResponse(not_found_page(request)) from None
                raise PageResponse(
                    error_page(
                        request,
                        422,
                        "This request is not valid",
                        "Go back and check what you sent.",
                    )
                ) from None
            except DomainError as exc:
                if exc.status == 404:
                    raise PageResponse(not_found_page(request)) from None
                raise PageResponse(error_page(request, exc.status, exc.title, exc.detail)) from None
            except HTTPException as exc:
                if exc.status_code == 404:
                    raise PageResponse(not_found_page(request)) from None
                detail = exc.detail if isinstance(exc.detail, str) else "The request was refused."
                raise PageResponse(
                    error_page(request, exc.status_code, "Refused", detail)
                ) from None

        return handler


async def answer_page_response(request: Request, exc: Exception) -> Response:
    """The exception handler of :class:`PageResponse`: its response, as prepared."""
    assert isinstance(exc, PageResponse)
    return exc.response


def install_console_errors(app: FastAPI) -> None:
    """Register :func:`answer_page_response` (after the database session rolled back)."""
    app.add_exception_handler(PageResponse, answer_page_response)


def console_router(**kwargs: Any) -> APIRouter:
    """A router for console pages: this route class, HTML answers, not in the API docs, and
    the CSRF check on every unsafe request."""
    return APIRouter(
        route_class=ConsoleRoute,
        include_in_schema=False,
        default_response_class=HTMLResponse,
        dependencies=[Depends(require_csrf)],
        **kwargs,
    )
