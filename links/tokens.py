"""Per-recipient link tokens, computed the same way in Python and in SQL.

token = code (6 random base62 characters, the link) + the profile id in hex + the first
8 hex digits of md5(key:link id:profile id). A link shared without a profile (a test
send, a preview) is the code alone. The check digits are keyed with SHORT_LINK_KEY, so
a token for another profile cannot be made up from one's own: the redirect refuses a
token whose check does not match (404) before anything is recorded. No row is stored
per recipient: a broadcast's rows get their URLs from `link_url_sql` inside their
INSERT … SELECT.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass

from django.conf import settings
from django.db.models import CharField, Expression, F, Func
from django.db.models.expressions import Combinable

from .models import CODE_LENGTH

_ALPHABET = string.ascii_letters + string.digits
CHECK_LENGTH = 8
# Code alone, or code + profile hex + check digits.
TOKEN_PATTERN = rf"[A-Za-z0-9]{{{CODE_LENGTH}}}(?:[0-9a-f]{{1,15}}[0-9a-f]{{{CHECK_LENGTH}}})?"
_TOKEN = re.compile(rf"^{TOKEN_PATTERN}$")


# A link ends at white space or a quote; trailing sentence punctuation is not part of it.
URL_PATTERN = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class Link:
    """A tracked link inside a body: rendered per recipient (`link_url`, `link_url_sql`)."""

    link_id: int
    code: str


def url_spans(text: str) -> list[tuple[int, str]]:
    """(start, url) of each http(s) link of a text, without trailing punctuation."""
    spans = []
    for match in URL_PATTERN.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        if url:
            spans.append((match.start(), url))
    return spans


def urls_in(body: str) -> list[str]:
    """The distinct http(s) links of a body, in order."""
    found: list[str] = []
    for _, url in url_spans(body):
        if url not in found:
            found.append(url)
    return found


def link_key() -> str:
    """The key of the check digits: SHORT_LINK_KEY, else one derived from SECRET_KEY."""
    if settings.SHORT_LINK_KEY:
        return settings.SHORT_LINK_KEY
    return hashlib.sha256(f"short-links:{settings.SECRET_KEY}".encode()).hexdigest()[:32]


def short_base() -> str:
    """SHORT_LINK_DOMAIN as a URL prefix ("sc.example.org" → "https://sc.example.org")."""
    domain = settings.SHORT_LINK_DOMAIN.rstrip("/")
    return domain if "://" in domain else f"https://{domain}"


def code_new() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))


def _check(link_id: int, profile_id: int) -> str:
    digest = hashlib.md5(f"{link_key()}:{link_id}:{profile_id}".encode(), usedforsecurity=False)
    return digest.hexdigest()[:CHECK_LENGTH]


def token_for(*, link_id: int, code: str, profile_id: int | None) -> str:
    if profile_id is None:
        return code
    return f"{code}{profile_id:x}{_check(link_id, profile_id)}"


def link_url(*, link_id: int, code: str, profile_id: int | None) -> str:
    return f"{short_base()}/{token_for(link_id=link_id, code=code, profile_id=profile_id)}"


def url_length(*, profile_id: int | None = 1_000_000) -> int:
    """How long a recipient's short URL is (for counting segments while composing)."""
    return len(link_url(link_id=1, code="x" * CODE_LENGTH, profile_id=profile_id))


@dataclass(frozen=True)
class ParsedToken:
    code: str
    profile_id: int | None
    check: str


def token_parse(token: str) -> ParsedToken | None:
    """The parts of a well-formed token, else None (the redirect answers 404)."""
    if not _TOKEN.match(token):
        return None
    code = token[:CODE_LENGTH]
    if len(token) == CODE_LENGTH:
        return ParsedToken(code=code, profile_id=None, check="")
    return ParsedToken(
        code=code,
        profile_id=int(token[CODE_LENGTH:-CHECK_LENGTH], 16),
        check=token[-CHECK_LENGTH:],
    )


def token_valid(parsed: ParsedToken, *, link_id: int) -> bool:
    if parsed.profile_id is None:
        return True
    return hmac.compare_digest(_check(link_id, parsed.profile_id), parsed.check)


class _LinkUrl(Func):
    """base/code || to_hex(profile id) || left(md5(key:link:profile), 8), in SQL."""

    output_field = CharField()

    def __init__(self, *, link_id: int, code: str, profile: Combinable) -> None:
        super().__init__(profile)
        self.link_id = link_id
        self.code = code

    def as_sql(self, compiler, connection, **extra):
        profile_sql, params = compiler.compile(self.source_expressions[0])
        sql = (
            f"(%s || to_hex({profile_sql}) || "
            f"left(md5(%s || ({profile_sql})::text), {CHECK_LENGTH}))"
        )
        prefix = f"{short_base()}/{self.code}"
        return sql, (prefix, *params, f"{link_key()}:{self.link_id}:", *params)


def link_url_sql(*, link_id: int, code: str, profile_ref: str = "pk") -> Expression:
    return _LinkUrl(link_id=link_id, code=code, profile=F(profile_ref))
