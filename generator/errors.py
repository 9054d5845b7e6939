"""The one exception type users see. Its message must never contain personal data."""


class BrevgenError(Exception):
    """An error in input, data or configuration, with a message meant for the user.

    The CLI prints the message and exits non-zero; nothing has been written when it is raised.
    """
