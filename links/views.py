"""The public redirect of tracked links: no sign-in, no session, no database write.

GET /<token> → 302 to the link's URL, the click queued (links.services.click_record);
an unknown code or a token whose check digits do not match → a plain 404.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from accounts.auth import client_address

from .services import click_record, link_for_code
from .tokens import token_parse, token_valid


def _not_found() -> HttpResponse:
    response = HttpResponseNotFound("Not found", content_type="text/plain; charset=utf-8")
    # A stream of forged tokens must not become a stream of log lines (django.request).
    response._has_been_logged = True  # type: ignore[attr-defined]  # the private flag django.utils.log.log_response checks
    return response


@login_not_required
@csrf_exempt
@require_safe
def link_redirect(request: HttpRequest, token: str) -> HttpResponse:
    parsed = token_parse(token)
    if parsed is None:
        return _not_found()
    link = link_for_code(parsed.code)
    if link is None or not token_valid(parsed, link_id=link.id):
        return _not_found()
    if request.method == "GET":  # a HEAD (link previews, scanners) is not a click
        click_record(
            link=link,
            profile_id=parsed.profile_id,
            token=token,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            remote_addr=client_address(request),
            referer=request.META.get("HTTP_REFERER", ""),
        )
    response = HttpResponseRedirect(link.url)
    response["Cache-Control"] = "no-store"  # every visit is a click to count
    response["Referrer-Policy"] = "no-referrer"  # the token stays ours
    return response
