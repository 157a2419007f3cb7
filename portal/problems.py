"""Every problem type the portal answers with (RFC 9457), documented where its `type` points.

A type is `PORTAL_PROBLEM_BASE` (default `/problems/`, a reference relative to the portal, so every
deployment names a type the same way) followed by the slug below; `GET /problems/{slug}` serves
its documentation, as HTML to a browser and as JSON otherwise, and the OpenAPI document lists them
all. tests/test_problems.py checks that every error class and every refusal of the HTTP parser
has its entry here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProblemType:
    slug: str
    title: str
    statuses: tuple[int, ...]
    description: str


_TYPES = [
    ProblemType("bad-request", "Bad request", (400,), "The request cannot be handled as sent."),
    ProblemType(
        "malformed-request",
        "Malformed request",
        (400,),
        "The body or a parameter could not be read: not JSON, not UTF-8, or not a form.",
    ),
    ProblemType(
        "unauthenticated",
        "Authentication required",
        (401,),
        "No credentials were sent. Send `Authorization: Bearer <token>`: an employee's token from the company's "
        "identity provider, or an API token (`ip_...`).",
    ),
    ProblemType(
        "invalid-token",
        "Invalid credentials",
        (401,),
        "The token was refused: expired, revoked, signed by a key the portal does not trust, for another audience, "
        "or for an employee who has left. `detail` says which; the token is never quoted.",
    ),
    ProblemType(
        "forbidden",
        "Forbidden",
        (403,),
        "The caller is known but may not do this: another team's lead, an employee where an admin is needed, or an "
        "API token without the scope the operation names.",
    ),
    ProblemType(
        "csrf",
        "Request not accepted",
        (403,),
        "A web form was sent from another site, or with an expired form token. Reload the page and send it again.",
    ),
    ProblemType(
        "not-provisioned",
        "Not in the company's directory",
        (403,),
        "The portal takes its people from the identity provider (`PORTAL_DIRECTORY=scim`), which has not provisioned "
        "this person. `contact` says whom to ask.",
    ),
    ProblemType(
        "employee-deactivated",
        "Account deactivated",
        (403,),
        "The employee has left (the directory deactivated them): their tokens and sessions no longer work. `contact` "
        "says whom to ask if that is a mistake.",
    ),
    ProblemType("not-found", "Not found", (404,), "Nothing exists at this address, or not for this caller."),
    ProblemType(
        "method-not-allowed", "Method not allowed", (405,), "The address exists; the `Allow` header lists its methods."
    ),
    ProblemType(
        "conflict",
        "Conflict",
        (409,),
        "The resource is not in a state that allows this, e.g. a status change the workflow does not allow, or an "
        "answer to a routing that was withdrawn. Extra members (`current_status`, `current_state`) say the state.",
    ),
    ProblemType(
        "directory-managed",
        "Kept by the directory",
        (409,),
        "The team's name and leads are kept by the identity provider (SCIM) or the org file: change them there. Its "
        "response time stays the portal's own.",
    ),
    ProblemType(
        "email-taken",
        "Address already in use",
        (409,),
        "The directory gave an employee an address another employee has.",
    ),
    ProblemType(
        "import-refused",
        "Org file not applied",
        (409,),
        "An org file was not applied: a line has an error, it would deactivate more than "
        "`PORTAL_IMPORT_MAX_DEACTIVATION_SHARE` of the active employees without a confirmation, or it was applied "
        "already.",
    ),
    ProblemType(
        "uniqueness",
        "Already provisioned",
        (409,),
        "Another of the identity provider's users or groups has this userName, address or name.",
    ),
    ProblemType(
        "unknown-manager",
        "No such manager",
        (400,),
        "The manager a user names is not one of the directory's users.",
    ),
    ProblemType(
        "unknown-members",
        "No such users",
        (400,),
        "A group's members name users the directory does not have; `members` lists them.",
    ),
    ProblemType("payload-too-large", "Request body too large", (413,), "The body is over `PORTAL_MAX_BODY_BYTES`."),
    ProblemType(
        "unsupported-media-type",
        "Unsupported media type",
        (415,),
        "The body is not in a type the operation takes (JSON: `application/json`).",
    ),
    ProblemType(
        "validation-failed",
        "Validation failed",
        (422,),
        "A field is missing, of the wrong type, out of range, or names something that does not exist. `errors` "
        "lists each as `{field, message, type}`, with the field's path (`body.title`, `query.cursor`).",
    ),
    ProblemType(
        "rate-limited",
        "Too many requests",
        (429,),
        "Too many writes (or thanks, or open event streams) from this caller; `Retry-After` says when to try again.",
    ),
    ProblemType(
        "internal",
        "Internal server error",
        (500,),
        "Something unexpected failed. It was logged with the request's `X-Request-ID`; nothing the request sent is "
        "quoted back.",
    ),
    ProblemType(
        "unavailable",
        "Service unavailable",
        (503,),
        "PostgreSQL, Redis or the identity provider cannot be reached right now; `Retry-After` says when to retry.",
    ),
    ProblemType(
        "identity-provider-unavailable",
        "Identity provider unavailable",
        (503,),
        "The identity provider's keys could not be fetched to check the token; `Retry-After` says when to retry.",
    ),
    ProblemType(
        "not-ready",
        "Not ready",
        (503,),
        "`/readyz`: PostgreSQL or Redis cannot be reached from this process; the body names which.",
    ),
    ProblemType(
        "too-many-streams",
        "Too many open streams",
        (429,),
        "This caller has `PORTAL_STREAM_MAX_PER_CALLER` event streams open already; close one first.",
    ),
    ProblemType(
        "not-configured",
        "Not configured",
        (503,),
        "The operation needs a setting this deployment lacks (e.g. `PORTAL_ENCRYPTION_KEY` for webhooks).",
    ),
    ProblemType(
        "sign-in-failed",
        "Sign-in failed",
        (400,),
        "The identity provider's answer could not be accepted (state, nonce or code); start the sign-in again.",
    ),
    ProblemType("http-error", "HTTP error", (400, 404, 405), "An error of the HTTP layer no other type describes."),
    ProblemType("too-long", "Bad Request", (400,), "The request line or a header is longer than the server accepts."),
    ProblemType("invalid-url", "Bad Request", (400,), "The request target is not a valid URL: percent-encode it."),
    ProblemType("unknown-method", "Bad Request", (400,), "The request method is not one this server knows."),
    ProblemType("invalid-header", "Bad Request", (400,), "A request header is not valid."),
    ProblemType("invalid-request-line", "Bad Request", (400,), "The request line is not valid HTTP."),
    ProblemType("invalid-body", "Bad Request", (400,), "The body does not match its length or transfer encoding."),
    ProblemType("invalid-http", "Bad Request", (400,), "The request is not valid HTTP/1.1."),
]
PROBLEM_TYPES: dict[str, ProblemType] = {problem.slug: problem for problem in _TYPES}
DEFAULT_BASE = "/problems/"
