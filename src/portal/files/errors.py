"""The refusal every check of a received file raises."""


class UploadRejected(Exception):
    """The file is refused; ``str(exc)`` is a clear message for the user."""
