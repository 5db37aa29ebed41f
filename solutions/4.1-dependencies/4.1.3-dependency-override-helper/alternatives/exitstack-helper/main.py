from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
from fastapi import Depends, FastAPI, HTTPException
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


def get_payment_gateway(client: httpx.AsyncClient = Depends(get_http_client)):
    return PaymentGateway(client)


app = FastAPI()


@app.post("/checkout", response_model=Receipt, status_code=201)
async def checkout(
    order: CheckoutIn,
    gateway: PaymentGateway = Depends(get_payment_gateway),
    clock: Clock = Depends(get_clock),
):
    try:
        charge_id = await gateway.charge(order.amount_cents, order.card_token)
    except PaymentDeclined as declined:
        raise HTTPException(status_code=402, detail=str(declined))
    return {
        "charge_id": charge_id,
        "amount_cents": order.amount_cents,
        "charged_at": clock().isoformat(),
    }
