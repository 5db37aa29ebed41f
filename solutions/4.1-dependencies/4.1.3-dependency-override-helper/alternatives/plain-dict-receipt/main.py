from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, HTTPException, status
from pydantic import BaseModel, Field

PAYMENTS_URL = "https://payments.invalid"  # the payment provider's API (a placeholder)

Clock = Callable[[], datetime]


class PaymentDeclined(Exception):
    """The provider refused the charge; str(exc) says why."""


class PaymentGateway:
    """Charges cards through the provider's HTTP API."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def charge(self, amount_cents: int, card_token: str) -> str:
        """Charge the card and return the provider's charge id."""
        response = await self.client.post(
            "/charges", json={"amount_cents": amount_cents, "card_token": card_token}
        )
        if response.status_code == 402:
            raise PaymentDeclined(response.json().get("reason", "payment declined"))
        response.raise_for_status()
        return response.json()["id"]


class CheckoutIn(BaseModel):
    amount_cents: int = Field(gt=0)
    card_token: str = Field(min_length=1)


class Receipt(BaseModel):
    charge_id: str
    amount_cents: int
    charged_at: datetime


def get_clock() -> Clock:
    return lambda: datetime.now(UTC)


async def get_http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=PAYMENTS_URL, timeout=10) as client:
        yield client


def get_payment_gateway(
    client: Annotated[httpx.AsyncClient, Depends(get_http_client)],
) -> PaymentGateway:
    return PaymentGateway(client)


app = FastAPI()


@app.post("/checkout", status_code=201)
async def checkout(
    body: CheckoutIn,
    now: Annotated[Clock, Depends(get_clock)],
    gateway: Annotated[PaymentGateway, Depends(get_payment_gateway)],
):
    try:
        charge_id = await gateway.charge(body.amount_cents, body.card_token)
    except PaymentDeclined as e:
        raise HTTPException(status_code=status.HTTP_402_PAYMENT_REQUIRED, detail=str(e))
    return {"charge_id": charge_id, "amount_cents": body.amount_cents, "charged_at": now()}
