"""Test doubles for the sign-up app."""

from main import EmailDeliveryError


class FakeEmailSender:
    """Records the emails the app sends instead of sending them; fails on demand."""

    def __init__(self) -> None:
        self.sent: list[dict] = []
        self.fail = False

    def send(self, to: str, subject: str, body: str) -> None:
        if self.fail:
            raise EmailDeliveryError("the fake was told to fail")
        self.sent.append({"to": to, "subject": subject, "body": body})
