"""Domain errors raised by services, whatever door the request came through.

Services raise Django's ``ValidationError`` (400, naming the field), ``PermissionDenied``
(403, saying which rule) or :class:`Conflict` (409: the object's state forbids the
action). The API handler and the browser views translate them for their medium.
"""


class Conflict(Exception):
    """The action is not allowed in the object's current state (HTTP 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)
