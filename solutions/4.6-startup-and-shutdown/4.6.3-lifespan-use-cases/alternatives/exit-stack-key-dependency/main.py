import hmac
import os
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from typing import Annotated, Any

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


class Settings:
    """What the lifespan reads from the environment when the app starts."""

    def __init__(self) -> None:
        self.app_secret = os.environ.get("APP_SECRET", "").strip()
        if not self.app_secret:
            raise RuntimeError("the environment variable APP_SECRET must be set and non-empty")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    app.state.settings = Settings()  # fails fast, before anything expensive
    with ExitStack() as stack:
        model = load_model()
        stack.callback(model.close)
        cache: dict[str, str] = {}
        for text in WARMUP_TEXTS:
            cache[text] = model.predict(text)
        yield {"model": model, "cache": cache}


app = FastAPI(lifespan=lifespan)


def require_api_key(request: Request, x_api_key: Annotated[str, Header()] = "") -> None:
    expected = request.app.state.settings.app_secret
    if not hmac.compare_digest(x_api_key.encode(), expected.encode()):
        raise HTTPException(status_code=401, detail="missing or wrong X-API-Key")


@app.get("/predict", dependencies=[Depends(require_api_key)])
async def predict(text: str, request: Request) -> dict[str, Any]:
    cache: dict[str, str] = request.state.cache
    label = cache.get(text)
    if label is not None:
        return {"text": text, "label": label, "model": request.state.model.version, "cached": True}
    label = cache[text] = request.state.model.predict(text)
    return {"text": text, "label": label, "model": request.state.model.version, "cached": False}
