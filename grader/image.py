"""The Docker sandbox image: its tag, and how to build it from the project's Dockerfile.

Wheels are fetched on the host (`pip download`) and installed in the build with `--no-index`, so
a build needs no network inside Docker and installs exactly the pinned versions.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .errors import GraderError

DOCKER_DIR = Path(__file__).resolve().parent / "docker"
LOCK = DOCKER_DIR / "requirements.lock"
REPOSITORY = "fastapi-sqlalchemy-exercises-grader"
DEFAULT_BASE = "python:3.11-slim"
LABEL = "fastapi-sqlalchemy-exercises.sandbox"


def image_tag() -> str:
    """`<repository>:<project version>-<lock hash>`: a new pin means a new image."""
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()[:8]
    return f"{REPOSITORY}:{__version__}-{digest}"


@dataclass
class BuildResult:
    tag: str
    image_id: str
    base: str


def build_image(base: str = DEFAULT_BASE, wheels: Path | None = None) -> BuildResult:
    """Download the pinned wheels (unless given) and build the image with the Docker SDK."""
    import docker
    from docker.errors import BuildError, DockerException

    tag = image_tag()
    with tempfile.TemporaryDirectory(prefix="grade-image-") as tmp:
        context = Path(tmp)
        shutil.copy(DOCKER_DIR / "Dockerfile", context / "Dockerfile")
        shutil.copy(LOCK, context / "requirements.lock")
        if wheels is not None:
            shutil.copytree(wheels, context / "wheels")
        else:
            _download_wheels(context / "wheels")
        try:
            client = docker.from_env()
            image, _ = client.images.build(
                path=str(context),
                tag=tag,
                buildargs={"BASE": base},
                rm=True,
                pull=False,
                labels={LABEL: "image"},
            )
        except BuildError as exc:
            tail = " ".join(str(line.get("stream", "")).strip() for line in exc.build_log)[-300:]
            raise GraderError("image-build-failed", f"docker build failed: {tail}", "") from None
        except DockerException as exc:
            raise GraderError(
                "no-docker", f"cannot reach a Docker engine: {exc}", "Start Docker and retry."
            ) from None
    return BuildResult(tag=tag, image_id=image.id, base=base)


def _download_wheels(target: Path) -> None:
    target.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--only-binary=:all:",
            "--dest",
            str(target),
            "-r",
            str(LOCK),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["pip download failed"])[-1]
        raise GraderError(
            "wheels-unavailable",
            f"cannot download the pinned wheels: {detail}",
            "Check the package index is reachable, or pass --wheels DIR.",
        )
