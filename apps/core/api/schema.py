"""The OpenAPI schema, with the error answers every operation can give."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """What a refused request answers: ``detail``, or the messages by field name."""

    detail = serializers.CharField(
        required=False, help_text="Why, when the error is not about one field."
    )

    class Meta:
        ref_name = "Error"


ERROR_ANSWERS = {
    "400": "Invalid input: the messages, by field name (or under detail).",
    "401": "Not signed in, or the token is wrong or expired.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object, or one the caller may not see (also: a page past the last).",
    "429": "Too many requests: wait as the Retry-After header says.",
}
BODY_ERROR_ANSWERS = {
    "413": "The request body is too large.",
    "415": "The request body is in a format this operation does not read.",
}
IDEMPOTENT_ERROR_ANSWERS = {"422": "The Idempotency-Key was used before with another request."}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the error answers every operation can give, so clients
    (and the schema checks in CI) know a 400 or a 404 is part of the contract."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = dict(ERROR_ANSWERS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors.update(BODY_ERROR_ANSWERS)
        if any(getattr(p, "name", "") == "Idempotency-Key" for p in self.get_override_parameters()):
            errors.update(IDEMPOTENT_ERROR_ANSWERS)
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ErrorSerializer, code, direction=direction
                )
                responses[code]["description"] = description
        return responses
