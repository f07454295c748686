"""The one exception services raise when a person asked for something that cannot be done."""


class ApplicationError(Exception):
    """A refusal with a message a person can act on.

    ``field`` names the input at fault, so a form or the API can put the message beside it.
    """

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def as_dict(self) -> dict[str, list[str]]:
        return {self.field or "non_field_errors": [self.message]}
