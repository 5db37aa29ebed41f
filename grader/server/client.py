"""`grade submit`'s side: pack the selected exercise folders of the workspace into one zip and
send it to the course server, which answers with the feedback `grade --json` shows.

Only regular files go in (links, caches and the workspace's own state stay out), so what the
server grades is what the student sees in their folders."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import httpx

from ..errors import GraderError
from ..models import Exercise, GradeReport
from ..submissions import IGNORED
from ..workspace import Workspace

TIMEOUT = 300.0  # seconds: the server grades before it answers


def pack(exercises: list[Exercise], workspace: Workspace) -> bytes:
    """A zip of `<id>-<slug>/<files>` for each selected exercise the workspace has started."""
    started = [e for e in exercises if workspace.is_started(e)]
    if not started:
        raise GraderError(
            "nothing-to-submit",
            "none of the selected exercises is started in this workspace",
            f"Run `grade start {exercises[0].id}` first, or pass --workspace.",
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for exercise in started:
            root = workspace.folder(exercise)
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if d not in IGNORED and not d.startswith("."))
                for name in sorted(files):
                    path = Path(folder) / name
                    if name in IGNORED or path.is_symlink() or not path.is_file():
                        continue
                    inside = path.relative_to(root.parent).as_posix()
                    archive.write(path, inside)
    return buffer.getvalue()


def submit(
    server: str,
    token: str,
    selector: str,
    archive: bytes,
    transport: httpx.BaseTransport | None = None,
) -> GradeReport:
    """Send the zip; the server's refusal (a bad token, too large, too often) is one line."""
    url = server.rstrip("/") + "/api/submit"
    try:
        with httpx.Client(timeout=TIMEOUT, transport=transport) as client:
            answer = client.post(
                url,
                headers={"Authorization": f"Bearer {token}"},
                data={"selector": selector},
                files={"archive": ("submission.zip", archive, "application/zip")},
            )
    except httpx.HTTPError as exc:
        raise GraderError(
            "server-unreachable",
            f"cannot reach the course server at {server}: {exc}",
            "Check the --server URL (your teacher gives it) and your network.",
        ) from None
    if answer.status_code != 200:
        try:
            detail = answer.json().get("detail", answer.text)
        except ValueError:
            detail = answer.text[:200]
        raise GraderError(
            "submit-refused", f"the server refused the submission ({answer.status_code})", detail
        )
    return GradeReport.model_validate(answer.json())
