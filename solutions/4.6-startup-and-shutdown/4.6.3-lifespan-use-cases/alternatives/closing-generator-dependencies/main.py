import os
from collections.abc import AsyncIterator
from contextlib import closing
from typing import Any

from fastapi import Depends, FastAPI, Header, HTTPException, Request

WARMUP_TEXTS = ("great", "awful", "ok")


class Model:
    """A tiny sentiment model. Loading a real one takes seconds and much memory, so the app loads
    it once when it starts and frees it when it stops."""

    def __init__(self, version: str, words: dict[str, str]) -> None:
        self.version = version
        self.words = words
        self.closed = False

    def predict(self, text: str) -> str:
        if self.closed:
            raise RuntimeError("the model is closed")
        for word in text.lower().split():
            if word in self.words:
                return self.words[word]
        return "neutral"

    def close(self) -> None:
        """Free the model's memory; it cannot predict afterwards."""
        self.closed = True


def load_model() -> Model:
    """Expensive in real life (reads the weights from disk): call it once per start of the app."""
    words = {"great": "positive", "good": "positive", "awful": "negative", "bad": "negative"}
    return Model("sentiment-1", words)


async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    secret = os.getenv("APP_SECRET", "")
    if secret == "":
        raise RuntimeError("APP_SECRET must be set")
    with closing(load_model()) as model:
        cache = {}
        for text in WARMUP_TEXTS:
            cache[text] = model.predict(text)
        yield {"model": model, "cache": cache, "api_key": secret}


app = FastAPI(lifespan=lifespan)


def check_key(request: Request, x_api_key: str | None = Header(default=None)) -> None:
    if x_api_key != request.state.api_key:
        raise HTTPException(401, "wrong key")


def get_model(request: Request) -> Model:
    return request.state.model


@app.get("/predict", dependencies=[Depends(check_key)])
async def predict(text: str, request: Request, model: Model = Depends(get_model)) -> dict:
    cache = request.state.cache
    if text in cache:
        return {"text": text, "label": cache[text], "model": model.version, "cached": True}
    cache[text] = model.predict(text)
    return {"text": text, "label": cache[text], "model": model.version, "cached": False}
