"""Test doubles for the sign-up app."""


class FakeEmailSender:
    """TODO: record sent emails in `sent`; raise main.EmailDeliveryError when `fail` is True."""

    def send(self, to: str, subject: str, body: str) -> None:
        raise NotImplementedError
