"""What the OpenAPI schema needs beyond drf-spectacular's introspection.

- the bearer token scheme of :class:`pagila_site.api.authentication.BearerTokenAuthentication`,
  required only by operations that an anonymous caller may not use;
- the contract's error shape as two components, ``Error`` and ``ValidationError``, and
  :func:`error_responses` to declare them on an operation;
- :class:`ApiAutoSchema`, which adds what the bearer token check can answer on any operation
  of a view that runs it, public reads included (a token that is sent is checked): 401 for a
  wrong token and 429 while the address is locked out after too many wrong ones, and, where
  the caller must work for a store, 403 ``no_store``; on every POST of an
  :class:`~pagila_site.api.idempotency.IdempotentPostMixin` view, and every PATCH of an
  :class:`~pagila_site.api.preconditions.IfMatchMixin` one, their headers and answers; and
  which tags every operation with the resource its path names (:meth:`ApiAutoSchema.get_tags`).

Importing this module registers the authentication extension; the views that use
:func:`error_responses` import it, which happens before any schema is generated.
"""

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from drf_spectacular.drainage import error
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.request import Request

from pagila_site.api.errors import DEFAULT_CODES

ERROR_DESCRIPTIONS = {
    400: "Invalid input: `errors` names each offending field or query parameter.",
    401: "No valid bearer token (`not_authenticated`, `authentication_failed` or `token_expired`).",
    403: "The token's user may not do this (`permission_denied`), or works for no store (`no_store`).",
    404: "Not found (`not_found`).",
}
NO_STORE = (
    "`no_store`: the token's user is neither linked to a staff member nor a superuser, so it works "
    "for no store."
)
# What BearerTokenAuthentication answers on an operation that did not declare it itself.
TOKEN_ERRORS = {
    401: (
        "The bearer token sent is not valid (`authentication_failed`: unknown, revoked, or its user or "
        "staff member inactive) or has expired (`token_expired`)."
    ),
    429: (
        "`throttled`: too many wrong tokens came from this address; every token it sends is refused "
        "until `Retry-After` seconds have passed."
    ),
}

IDEMPOTENCY_ERRORS = {
    400: "`invalid`: the `Idempotency-Key` header is not 1-255 printable ASCII characters.",
    409: "`idempotency_in_progress`: a request with this `Idempotency-Key` is still running.",
    422: "`idempotency_key_reused`: this `Idempotency-Key` came with another path or body.",
}
PRECONDITION_ERRORS = {
    412: "`precondition_failed`: `If-Match` names no current ETag of the resource; nothing was changed.",
}
IDEMPOTENCY_PARAMETERS = [
    OpenApiParameter(
        "Idempotency-Key",
        {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
        OpenApiParameter.HEADER,
        description="1-255 printable ASCII characters. A repeat by the same user to the same path with the "
        "same key and an equal JSON body within 24 hours gets the first answer again (unless it was a 5xx) "
        "and writes nothing.",
    ),
    OpenApiParameter(
        "Idempotent-Replayed",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        enum=["true"],
        description="`true` when this is the stored answer to an earlier request with this key.",
        response=True,
    ),
]
IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The `ETag` a `GET` of the resource answered (or `*`): the change is made only if it is "
    "still current, else 412. Without it the change is made whatever the resource is now.",
)

# Path segments whose operations are documented under another resource's tag.
TAG_ALIASES = {"categories": "films"}


def allows_anonymous(view, method: str) -> bool:
    """Whether every permission of ``view`` lets an unauthenticated ``method`` request through."""
    request = Request(RequestFactory().generic(method, "/"))
    request.user = AnonymousUser()
    return all(permission.has_permission(request, view) for permission in view.get_permissions())


DATABASE_ERRORS = (
    "A statement ran past DATABASE_STATEMENT_TIMEOUT and was stopped (code `query_timeout`), or the "
    "database is unreachable (code `database_unavailable`); `Retry-After` says when to try again."
)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "pagila_site.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_requirement(self, auto_schema):
        # Public operations (film reads, say) list no requirement, so the docs show no lock.
        if allows_anonymous(auto_schema.view, auto_schema.method):
            return []
        return {self.name: []}

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "`Authorization: Bearer <token>`; tokens are issued to staff.",
        }


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="A human sentence.")
    code = serializers.CharField(help_text="A stable snake_case code, e.g. `not_found`.")


class ValidationErrorSerializer(ErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by field or query parameter name.",
    )


def error_responses(*status_codes: int) -> dict[int, OpenApiResponse]:
    """The contract's error bodies for ``status_codes``, to merge into ``extend_schema(responses=)``."""
    return {
        code: OpenApiResponse(
            ValidationErrorSerializer if code == 400 else ErrorSerializer,
            description=ERROR_DESCRIPTIONS.get(code) or DEFAULT_CODES[code][1],
        )
        for code in status_codes
    }


class ApiAutoSchema(AutoSchema):
    """The project's schema class (``DEFAULT_SCHEMA_CLASS``): drf-spectacular's, plus the bearer
    token check's own answers wherever it runs and the safe-retry headers and answers where their
    mixins run, so no view has to repeat them."""

    def get_description(self):
        # drf-spectacular falls back on the first docstring in the view's MRO, which for our
        # viewsets is a mixin's (CustomerScopedMixin, IdempotentPostMixin...): notes for the
        # project's developers, not for API clients. Only the action's and the view's own count.
        action = getattr(self.view, getattr(self.view, "action", self.method.lower()), None)
        view_class = type(self.view)
        return get_doc(action) or (get_doc(view_class) if view_class.__dict__.get("__doc__") else "")

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._is_idempotent_post():
            parameters = [*parameters, *IDEMPOTENCY_PARAMETERS]
        if self._checks_if_match():
            parameters = [*parameters, IF_MATCH_PARAMETER]
        return parameters

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return operation
        if self._is_idempotent_post():
            self._add_errors(operation, IDEMPOTENCY_ERRORS)
        if self._checks_if_match():
            self._add_errors(operation, PRECONDITION_ERRORS)
        if self._checks_tokens():
            self._add_errors(operation, TOKEN_ERRORS, beside_declared=False)
            operation["responses"]["429"].setdefault("headers", {})["Retry-After"] = {
                "schema": {"type": "integer"},
                "description": "Seconds until the lock-out ends.",
            }
            if self._needs_a_store():
                self._add_errors(operation, {403: NO_STORE}, beside_declared=False)
        # Any operation's database work may run out of its time limit, or find no database.
        self._add_errors(operation, {503: DATABASE_ERRORS})
        operation["responses"] = dict(sorted(operation["responses"].items()))
        return operation

    def _needs_a_store(self) -> bool:
        # By the refusal's code: the permission that answers it (customers.permissions'
        # WorksForAStore) is an app's, which this package doesn't import.
        if allows_anonymous(self.view, self.method):
            return False
        return any(
            getattr(permission, "code", None) == "no_store" for permission in self.view.get_permissions()
        )

    def get_tags(self) -> list[str]:
        """The tag of the resource the operation acts on: of the path's segments that name one of
        ``SPECTACULAR_SETTINGS["TAGS"]``, the last, so ``/customers/{id}/rentals/`` and
        ``/rentals/{id}/return/`` are both rentals operations.

        Tagging by path means a new endpoint needs no decorator to land in its group. One whose
        path names no known resource (``/health``, were it documented; a new resource without a
        tag) gets none and a schema error instead, which fails ``make lint`` and the tests, rather
        than drf-spectacular's default tag, the path's first segment (once "v1" for most of them).
        """
        known = {tag["name"] for tag in spectacular_settings.TAGS}
        segments = (TAG_ALIASES.get(segment, segment) for segment in self.path.split("/"))
        named = [segment for segment in segments if segment in known]
        if not named:
            error(
                f"{self.path} names none of the resources in SPECTACULAR_SETTINGS['TAGS'] "
                f"({', '.join(sorted(known))}): add its tag there, with a description."
            )
            return []
        return named[-1:]

    def _add_errors(self, operation, errors: dict[int, str], *, beside_declared: bool = True) -> None:
        """Declare ``errors`` on ``operation``; where the view declared a status already, its
        description gains this one (``beside_declared``) or is left alone."""
        responses = operation["responses"]
        for status, description in errors.items():
            declared = responses.get(str(status))
            if declared is None:
                serializer = ValidationErrorSerializer if status == 400 else ErrorSerializer
                content = {
                    "application/json": {"schema": self.resolve_serializer(serializer, "response").ref}
                }
                responses[str(status)] = {"description": description, "content": content}
            elif beside_declared:
                declared["description"] = f"{declared['description']} Or {description}"

    def _is_idempotent_post(self) -> bool:
        from pagila_site.api.idempotency import IdempotentPostMixin

        return self.method == "POST" and isinstance(self.view, IdempotentPostMixin)

    def _checks_if_match(self) -> bool:
        from pagila_site.api.preconditions import IfMatchMixin

        return self.method == "PATCH" and isinstance(self.view, IfMatchMixin)

    def _checks_tokens(self) -> bool:
        from pagila_site.api.authentication import BearerTokenAuthentication

        return any(issubclass(cls, BearerTokenAuthentication) for cls in self.view.authentication_classes)
