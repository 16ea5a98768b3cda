"""The domain error tree. Services raise these; one handler in `app/web/problems.py` maps them.

    AppError (400)
    ├── InvalidInput (422)      a value is wrong; `field` names it
    ├── Unauthenticated (401)   no, bad, expired or revoked credentials
    ├── Forbidden (403)         known caller, action not allowed (also CSRF, scopes)
    ├── NotFound (404)          missing, or hidden from this caller
    ├── Conflict (409)          clashes with existing state (duplicate email, …)
    ├── PayloadTooLarge (413)
    ├── UnsupportedMediaType (415)
    ├── RateLimited (429)       carries `retry_after` seconds
    └── ServiceUnavailable (503) the database cannot be reached now; carries `retry_after`
"""

from __future__ import annotations


class AppError(Exception):
    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class InvalidInput(AppError):
    status, title, slug = 422, "Invalid input", "invalid-input"


class Unauthenticated(AppError):
    status, title, slug = 401, "Not signed in", "unauthenticated"


class Forbidden(AppError):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(AppError):
    status, title, slug = 404, "Not found", "not-found"


class Conflict(AppError):
    status, title, slug = 409, "Conflict", "conflict"


class PayloadTooLarge(AppError):
    status, title, slug = 413, "Payload too large", "payload-too-large"


class UnsupportedMediaType(AppError):
    status, title, slug = 415, "Unsupported media type", "unsupported-media-type"


class RateLimited(AppError):
    status, title, slug = 429, "Too many requests", "rate-limited"

    def __init__(self, detail: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(detail, field=field)
        self.retry_after = max(1, retry_after)


class ServiceUnavailable(AppError):
    status, title, slug = 503, "Service unavailable", "service-unavailable"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
