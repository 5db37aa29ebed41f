"""The course server's FastAPI app, built by `create_app(settings)`.

Teacher pages (server-rendered HTML, charts as inline SVG) need a signed-in session: a page
asked for without one redirects to the sign-in form, a download or API call gets 401. Forms
that change something carry a CSRF token. Students use `/api/submit` and `/api/me` with their
own bearer token and see only their own results."""

from __future__ import annotations

import io
import urllib.parse
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, FastAPI, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from ..batch_progress import ensure_tables
from ..class_report import class_report
from ..errors import GraderError
from ..exports import FORMATS, SUFFIX, TEXT_EXPORTS, render, write
from ..gradebook import Gradebook
from ..sandbox import get_sandbox
from ..staging import scratch_folder
from ..standing import ClassView
from ..text import clean_line
from . import charts, tokens
from .auth import (
    CSRF_FIELD,
    NotSignedIn,
    bearer,
    check_csrf,
    csrf_token,
    is_teacher,
    password_ok,
    require_teacher,
)
from .batches import batch_routes, running
from .limits import RateLimit
from .queries import runs_of
from .settings import ServerSettings
from .submit import BadSubmission, Grader, GradingFailed
from .tables import PageView, overview_rows
from .upload_limit import UploadLimit

if TYPE_CHECKING:
    from .broker import BrokerGrader

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"  # the pages' own script (no CDN: works offline)
Teacher = Depends(require_teacher)
SIGN_INS_PER_MINUTE = 10


def create_app(settings: ServerSettings, grader: Grader | BrokerGrader | None = None) -> FastAPI:
    """The app for this gradebook and course. `grader` defaults to the workers of
    `settings.broker` when one is given, else to grading in this machine's sandbox
    (`settings.sandbox`, never `none`)."""
    if settings.sandbox == "none" and not settings.broker:
        raise GraderError(
            "server-unsandboxed",
            "the course server never grades unsandboxed (--sandbox none)",
            "Install bubblewrap or start Docker, and pass --sandbox auto, bwrap or docker.",
        )
    if not settings.teacher_password:
        raise GraderError(
            "no-teacher-password",
            "the course server needs a teacher password",
            "Set GRADE_TEACHER_PASSWORD or pass --teacher-password-file.",
        )
    gradebook = Gradebook(settings.db)
    tokens.ensure_table(gradebook)
    ensure_tables(gradebook)  # batches' progress: gradebooks made before it gain its tables
    if grader is None and settings.broker:
        from .broker import BrokerGrader

        grader = BrokerGrader(gradebook, settings.broker)
    elif grader is None:
        grader = Grader(
            gradebook, lambda slot: get_sandbox(settings.sandbox, slot=slot), settings.jobs
        )
    limit = RateLimit(settings.submits_per_window, settings.window)
    sign_ins = RateLimit(SIGN_INS_PER_MINUTE, 60.0)  # per client address: no password guessing
    app = FastAPI(title="Course server", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="grade_session",
        same_site="strict",
        https_only=settings.secure_cookies,
        max_age=12 * 3600,
    )
    app.add_middleware(UploadLimit, path="/api/submit", limit=settings.max_upload)
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.globals.update(
        quote=lambda s: urllib.parse.quote(s, safe=""), colour=charts.colour, when=_when
    )

    def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        context.update(csrf=csrf_token(request), csrf_field=CSRF_FIELD, teacher=is_teacher(request))
        return templates.TemplateResponse(request, name, context, status_code=status)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(batch_routes(gradebook, page, settings.poll_interval))

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if request.url.path.startswith(("/api/", "/export/")):
            return JSONResponse({"detail": "Sign in as the teacher first."}, status_code=401)
        target = urllib.parse.quote(request.url.path, safe="/")
        return RedirectResponse(f"/login?next={target}", status_code=303)

    # ------------------------------------------------------------ signing in

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/") -> HTMLResponse:
        return page(request, "login.html", next=_local(next), error="")

    @app.post("/login")
    def login(
        request: Request,
        password: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "/",
    ) -> Response:
        check_csrf(request, csrf)
        wait = sign_ins.take(request.client.host if request.client else "")
        if wait:
            return page(
                request, "login.html", 429, next=_local(next),
                error=f"Too many attempts: try again in {wait:.0f} s.",
            )  # fmt: skip
        if not password_ok(password, settings.teacher_password):
            return page(request, "login.html", 401, next=_local(next), error="Wrong password.")
        request.session.clear()
        request.session["teacher"] = True
        return RedirectResponse(_local(next), status_code=303)

    @app.post("/logout", dependencies=[Teacher])
    def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    # ------------------------------------------------------------ teacher pages

    @app.get("/", response_class=HTMLResponse, dependencies=[Teacher])
    def overview(request: Request) -> HTMLResponse:
        view = PageView(
            gradebook.exercises(), gradebook.grades(with_tests=False), gradebook.states()
        )
        summary = class_report(view)
        standings = view.standings()
        pass_chart = charts.bar_chart(
            [e.id for e in summary.exercises],
            [round(100 * e.pass_rate, 1) for e in summary.exercises],
            "Pass rate per exercise (full points)",
        )
        spread = charts.histogram([s.percent for s in standings], "Distribution of totals")
        return page(
            request,
            "overview.html",
            view=view,
            rows=overview_rows(standings, view.columns),
            summary=summary,
            pass_chart=pass_chart,
            spread=spread,
            formats=FORMATS,
            running=running(gradebook),
        )

    @app.get("/exercises/{exercise_id}", response_class=HTMLResponse, dependencies=[Teacher])
    def exercise(request: Request, exercise_id: str) -> HTMLResponse:
        column = next((c for c in gradebook.exercises() if c.id == exercise_id), None)
        if column is None:
            raise HTTPException(404, f"{exercise_id} is not graded in this gradebook")
        view = ClassView([column], gradebook.grades(exercise_id=exercise_id), gradebook.states())
        summary = class_report(view, top=10_000)
        stats = next(e for e in summary.exercises if e.id == exercise_id)
        failing = [t for t in summary.most_failed if t.exercise_id == exercise_id]
        rows = [(s.student, s.cells[0]) for s in view.standings()]
        return page(
            request, "exercise.html", column=column, stats=stats, failing=failing, rows=rows
        )

    @app.get("/students/{name:path}", response_class=HTMLResponse, dependencies=[Teacher])
    def student(request: Request, name: str, saved: str = "") -> HTMLResponse:
        return _student_page(request, name, saved=saved)

    def _student_page(request: Request, name: str, status: int = 200, **extra) -> HTMLResponse:
        grades = gradebook.grades(name)
        if name not in grades:
            raise HTTPException(404, f"no student named {clean_line(name)!r}")
        standing = ClassView(gradebook.exercises(), grades, gradebook.states()).standing(name)
        history = gradebook.override_history(name)
        return page(
            request,
            "student.html",
            status,
            standing=standing,
            runs=runs_of(gradebook, name),
            history=history,
            **{"saved": "", "error": "", **extra},
        )

    @app.post("/students/{name:path}/override", dependencies=[Teacher])
    def override(
        request: Request,
        name: str,
        exercise: Annotated[str, Form()],
        csrf: Annotated[str, Form()] = "",
        score: Annotated[str, Form()] = "",
        reason: Annotated[str, Form()] = "",
        remove: Annotated[str, Form()] = "",
    ) -> Response:
        check_csrf(request, csrf)
        try:
            if remove:
                gradebook.remove_override(name, exercise, reason, by="teacher (web)")
            else:
                try:
                    points = float(score)
                except ValueError:
                    raise GraderError(
                        "bad-score", f"{score!r} is not a number", "Give the points as a number."
                    ) from None
                gradebook.override(name, exercise, points, reason, by="teacher (web)")
        except GraderError as exc:
            return _student_page(request, name, 400, error=f"{exc.message} {exc.next_step}")
        saved = urllib.parse.quote(exercise)
        return RedirectResponse(
            f"/students/{urllib.parse.quote(name, safe='')}?saved={saved}", status_code=303
        )

    @app.get("/tokens", response_class=HTMLResponse, dependencies=[Teacher])
    def token_page(request: Request) -> HTMLResponse:
        return page(request, "tokens.html", holders=tokens.holders(gradebook), made=None)

    @app.post("/tokens", response_class=HTMLResponse, dependencies=[Teacher])
    def token_make(
        request: Request, student: Annotated[str, Form()], csrf: Annotated[str, Form()] = ""
    ) -> HTMLResponse:
        check_csrf(request, csrf)
        name = clean_line(student)
        if not name:
            raise HTTPException(400, "Give the student's name.")
        made = (name, tokens.make_token(gradebook, name))
        return page(request, "tokens.html", holders=tokens.holders(gradebook), made=made)

    @app.get("/export/{fmt}", dependencies=[Teacher])
    def export(fmt: str) -> Response:
        if fmt not in FORMATS:
            raise HTTPException(404, f"no export {fmt!r}; there are {', '.join(FORMATS)}")
        view = gradebook.view()
        if fmt in TEXT_EXPORTS:
            media = "application/xml" if fmt == "junit" else f"text/{SUFFIX[fmt]}"
            if fmt == "json":
                media = "application/json"
            return Response(
                render(fmt, view),
                media_type=f"{media}; charset=utf-8",
                headers=_attachment(f"grades-{fmt}.{SUFFIX[fmt]}"),
            )
        with scratch_folder("grade-serve-") as folder:
            root = folder / fmt
            files = write(fmt, view, root)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in files:
                    archive.write(path, path.relative_to(root).as_posix())
        return Response(
            buffer.getvalue(),
            media_type="application/zip",
            headers=_attachment(f"grades-{fmt}.zip"),
        )

    # ------------------------------------------------------------ students

    def student_of(request: Request) -> str:
        name = tokens.student_of(gradebook, bearer(request))
        if name is None:
            raise HTTPException(
                401,
                "This token is not valid (ask your teacher for a new one).",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return name

    @app.post("/api/submit")
    async def submit(
        request: Request,
        archive: UploadFile,
        selector: Annotated[str, Form()],
        student: str = Depends(student_of),
    ) -> JSONResponse:
        wait = limit.take(student)
        if wait:
            return JSONResponse(
                {"detail": f"Too many submissions: try again in {wait:.0f} s."},
                status_code=429,
                headers={"Retry-After": str(max(int(wait), 1))},
            )
        try:
            exercises = settings.catalog.select(selector.split())
        except GraderError as exc:
            raise HTTPException(400, f"{exc.message} {exc.next_step}") from None
        with scratch_folder("grade-serve-") as folder:
            path = folder / "submission.zip"
            size = 0
            with path.open("wb") as out:
                while chunk := await archive.read(1 << 16):
                    size += len(chunk)
                    if size > settings.max_upload:
                        raise HTTPException(
                            413,
                            f"The upload is larger than {settings.max_upload // 1024} KiB: "
                            "submit fewer exercises at once, without data files.",
                        )
                    out.write(chunk)
            try:
                result = await run_in_threadpool(grader.grade, student, path, exercises)
            except BadSubmission as exc:
                raise HTTPException(400, f"This submission cannot be graded: {exc}") from None
            except GradingFailed as exc:
                raise HTTPException(
                    503, f"The server could not grade it ({exc}): try again later."
                ) from None
        return JSONResponse(result.to_json_dict())

    @app.get("/api/me")
    def me(student: str = Depends(student_of)) -> dict:
        """The student's own standing on every exercise the gradebook grades."""
        view = ClassView(gradebook.exercises(), gradebook.grades(student), gradebook.states())
        standing = view.standing(student)
        return {
            "student": student,
            "total": standing.total,
            "max_score": standing.max_score,
            "exercises": [
                {
                    "id": cell.column.id,
                    "title": cell.column.title,
                    "score": cell.score,
                    "max_score": cell.column.max_score,
                    "state": cell.state,
                    "tests": cell.grade.tests if cell.grade else [],
                }
                for cell in standing.cells
            ],
        }

    return app


def _local(target: str) -> str:
    """Only a path on this site: a sign-in link cannot send the teacher elsewhere."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _when(moment) -> str:  # noqa: ANN001 (a datetime or None)
    """A stored time as people read it (the gradebook keeps UTC)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else ""


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
