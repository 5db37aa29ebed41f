import os  # noqa: F401  (you will read APP_SECRET from os.environ)
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

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


# TODO: Task 1 - read APP_SECRET when the app starts; missing or empty -> raise RuntimeError
#       naming APP_SECRET, before anything is loaded.
# TODO: Task 2 - load_model() once, and yield {"model": model, "cache": cache} (lifespan state).
# TODO: Task 3 - warm the cache: {text: model.predict(text) for text in WARMUP_TEXTS}.
# TODO: Task 4 - model.close() when the app stops, whatever happens (try/finally).
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    yield {}


app = FastAPI(lifespan=lifespan)


# TODO: Tasks 1-3 - GET /predict?text=...: 401 without the right X-API-Key header; the label from
#       request.state.cache when the text is there ("cached": true), otherwise from
#       request.state.model.predict(text), stored in the cache ("cached": false).
