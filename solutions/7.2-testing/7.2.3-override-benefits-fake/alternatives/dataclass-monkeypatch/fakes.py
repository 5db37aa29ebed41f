from dataclasses import dataclass, field

import main


@dataclass
class FakeEmailSender:
    sent: list[dict] = field(default_factory=list)
    fail: bool = False

    def send(self, *, to: str, subject: str, body: str) -> None:
        if self.fail:
            raise main.EmailDeliveryError("down")
        self.sent.append(dict(to=to, subject=subject, body=body))
