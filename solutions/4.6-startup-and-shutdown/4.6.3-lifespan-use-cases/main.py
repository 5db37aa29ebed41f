import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI, Header, HTTPException, Request, status

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


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    secret = os.environ.get("APP_SECRET")
    if not secret:
        raise RuntimeError("APP_SECRET is not set: refusing to start")
    model = load_model()
    try:
        cache = {text: model.predict(text) for text in WARMUP_TEXTS}
        yield {"model": model, "cache": cache, "secret": secret}
    finally:
        model.close()


app = FastAPI(lifespan=lifespan)


@app.get("/predict")
def predict(
    text: str,
    request: Request,
    x_api_key: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    if x_api_key is None or not secrets.compare_digest(x_api_key, request.state.secret):
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="bad API key")
    model: Model = request.state.model
    cache: dict[str, str] = request.state.cache
    cached = text in cache
    if not cached:
        cache[text] = model.predict(text)
    return {"text": text, "label": cache[text], "model": model.version, "cached": cached}
