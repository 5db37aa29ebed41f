"""What a course server needs to run: its gradebook, the teacher's password, the course it
grades against, and the limits it holds students to. One frozen object, built by `grade serve`
(or a test) and handed to `create_app`, so that nothing in the app reads the environment."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from ..catalog import Catalog

MAX_UPLOAD = 5 << 20  # bytes of one submitted zip
SUBMITS_PER_WINDOW = 10  # submissions one token may make per window
WINDOW = 60.0  # seconds


@dataclass(frozen=True)
class ServerSettings:
    db: str  # the gradebook's SQLAlchemy URL
    teacher_password: str
    catalog: Catalog  # the course, with its hidden tests: what submissions are graded against
    sandbox: str = "auto"  # auto | docker | bwrap (never none)
    jobs: int = 2  # students graded at once
    broker: str = ""  # a Redis URL: submissions are graded by `grade worker`s, not here
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    max_upload: int = MAX_UPLOAD
    submits_per_window: int = SUBMITS_PER_WINDOW
    window: float = WINDOW
    poll_interval: float = 2.0  # seconds between a batch page's looks at a running batch
    secure_cookies: bool = False  # True behind HTTPS: the session cookie is never sent in clear
