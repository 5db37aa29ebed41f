"""Sign-ups with a welcome email. Don't change it: write fakes.py, conftest.py and
test_signup.py."""

import smtplib
from email.message import EmailMessage
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, Field

SMTP_HOST = "smtp.example.com"


class EmailDeliveryError(Exception):
    """The email could not be handed to the mail server."""


class SmtpEmailSender:
    """Sends real email through an SMTP server (over the network)."""

    def __init__(self, host: str = SMTP_HOST, port: int = 587) -> None:
        self.host = host
        self.port = port

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = "welcome@shop.example"
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=5) as smtp:
                smtp.starttls()
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise EmailDeliveryError(str(exc)) from exc


def get_email_sender() -> SmtpEmailSender:
    return SmtpEmailSender()


class SignUp(BaseModel):
    email: str = Field(min_length=3, pattern=r"^[^@\s]+@[^@\s]+$")
    name: str = Field(min_length=1, max_length=100)


USERS: dict[str, dict] = {}  # email -> {"email", "name"}

app = FastAPI(title="Shop sign-ups")


@app.post("/signup", status_code=201)
def sign_up(payload: SignUp, sender: Annotated[SmtpEmailSender, Depends(get_email_sender)]) -> dict:
    if payload.email in USERS:
        raise HTTPException(status_code=409, detail="This email is already registered")
    try:
        sender.send(
            to=payload.email,
            subject="Welcome to Shop",
            body=f"Hi {payload.name}, thanks for signing up!",
        )
    except EmailDeliveryError:
        raise HTTPException(
            status_code=503, detail="We could not send the welcome email; try again later"
        ) from None
    user = {"email": payload.email, "name": payload.name}
    USERS[payload.email] = user
    return user


@app.get("/users/{email}")
def read_user(email: str) -> dict:
    if email not in USERS:
        raise HTTPException(status_code=404, detail="No such user")
    return USERS[email]
