"""Static checks of the learner's Dockerfile and .dockerignore (nothing is built)."""

import fnmatch
import io
import json
import posixpath
import re
import shlex

import pytest
from dockerfile_parse import DockerfileParser

SLIM_PYTHON = re.compile(
    r"^(docker\.io/)?(library/)?python:3\.(11|12|13|14)(\.\d+)?-slim[\w.-]*(@sha256:[0-9a-f]+)?$"
)
WORKER_CLASSES = {"uvicorn_worker.UvicornWorker", "uvicorn.workers.UvicornWorker"}


class Dockerfile:
    def __init__(self, text):
        parser = DockerfileParser(fileobj=io.BytesIO(text.encode()))
        self.instructions = parser.structure
        self.parents = parser.parent_images
        froms = [i for i, ins in enumerate(self.instructions) if ins["instruction"] == "FROM"]
        assert froms, "the Dockerfile has no FROM instruction"
        self.final_start = froms[-1]
        aliases = {}
        self.images = []
        # each stage: (first instruction after its FROM, end, the earlier stage it is built on)
        self.stages = []
        stage_of = {}
        for n, index in enumerate(froms):
            words = [w for w in self.instructions[index]["value"].split() if not w.startswith("--")]
            image = self.parents[n] if n < len(self.parents) else words[0]
            base = stage_of.get(words[0].lower()) if words else None
            image = aliases.get(image.lower(), image)
            if len(words) >= 3 and words[1].lower() == "as":
                aliases[words[2].lower()] = image
                stage_of[words[2].lower()] = n
            self.images.append(image)
            end = froms[n + 1] if n + 1 < len(froms) else len(self.instructions)
            self.stages.append((index + 1, end, base))

    def final_image(self):
        return self.images[-1]

    def final_stage(self):
        return self.instructions[self.final_start :]

    def final_filesystem_instructions(self):
        """The instructions that make the final image: its stage's, after those of the earlier
        stages it is built FROM (`FROM builder AS runtime` starts from builder's files)."""
        chain, n = [], len(self.stages) - 1
        while n is not None and n not in [c for c, _ in chain]:
            start, end, base = self.stages[n]
            chain.insert(0, (n, self.instructions[start:end]))
            n = base
        return [ins for _, part in chain for ins in part]

    def index_of(self, predicate, stage=None):
        items = self.instructions if stage is None else self.final_stage()
        offset = 0 if stage is None else self.final_start
        return [offset + i for i, ins in enumerate(items) if predicate(ins)]


PIP_INSTALL = re.compile(r"\bpip3?\s+install\b")


def is_pip_install(ins):
    return ins["instruction"] == "RUN" and PIP_INSTALL.search(ins["value"])


def shell_commands(text):
    """The commands of a RUN line (continuations are already joined): split on &&, ||, ;, |
    and newlines."""
    return [c.strip() for c in re.split(r"&&|\|\||;|\||\n", text) if c.strip()]


def instruction_text(ins):
    return f"{ins['instruction']} {ins['value']}"


def is_requirements_install(ins):
    return is_pip_install(ins) and re.search(
        r"(-r|--requirement)[\s=]+\S*requirements", ins["value"]
    )


def copies_whole_context(ins):
    if ins["instruction"] not in ("COPY", "ADD"):
        return False
    words = (
        shlex.split(ins["value"]) if not ins["value"].startswith("[") else json.loads(ins["value"])
    )
    if any(w.startswith("--from") for w in words):
        return False
    sources = [w for w in words if not w.startswith("--")][:-1]
    return any(s in (".", "./", "*", "app", "app/", "./app", "./app/") for s in sources)


def copies_requirements(ins):
    return (
        ins["instruction"] in ("COPY", "ADD")
        and "requirements" in ins["value"]
        and "--from" not in ins["value"]
    )


@pytest.fixture
def dockerfile(learner):
    return Dockerfile(learner.source("Dockerfile"))


def command(dockerfile):
    """The final stage's ENTRYPOINT + CMD, which must be exec form (JSON arrays)."""
    parts = {}
    for ins in dockerfile.final_stage():
        if ins["instruction"] in ("CMD", "ENTRYPOINT"):
            parts[ins["instruction"]] = ins["value"]
    assert parts, "the final stage has no CMD or ENTRYPOINT"
    argv = []
    for name in ("ENTRYPOINT", "CMD"):
        if name not in parts:
            continue
        try:
            value = json.loads(parts[name])
        except ValueError:
            value = None
        assert isinstance(value, list) and all(isinstance(v, str) for v in value), (
            f"{name} {parts[name]} is shell form: write it as a JSON array so that gunicorn "
            "is PID 1 and receives SIGTERM"
        )
        argv += value
    assert argv, "CMD/ENTRYPOINT is an empty array"
    return argv


def option(argv, short, long):
    found = None
    for i, word in enumerate(argv):
        if word in (short, long) and i + 1 < len(argv):
            found = argv[i + 1]
        elif long and word.startswith(long + "="):
            found = word.split("=", 1)[1]
        elif (
            short
            and word.startswith(short)
            and len(word) > len(short)
            and not word.startswith("--")
        ):
            found = word[len(short) :]
    return found


def server(argv, learner):
    """What the container runs: launcher, app, bind address, worker class and worker count."""
    argv = list(argv)
    if argv[0] in ("sh", "/bin/sh", "bash", "/bin/bash"):
        pytest.fail(
            f"the command starts a shell ({' '.join(argv)}): run the server directly, exec form"
        )
    if argv[0].endswith("python") or argv[0].startswith("python"):
        assert len(argv) > 2 and argv[1] == "-m", f"the command runs {' '.join(argv)}"
        argv = argv[2:]
    launcher = argv[0].rsplit("/", 1)[-1]
    args = argv[1:]
    info = {"launcher": launcher, "argv": argv}
    if launcher == "gunicorn":
        conf = {}
        path = option(args, "-c", "--config") or "gunicorn.conf.py"
        path = path.removeprefix("python:")
        name = path.rsplit("/", 1)[-1]
        if not learner.path(name).is_file() and learner.path("gunicorn.conf.py").is_file():
            name = "gunicorn.conf.py"  # copied into the image under the --config name
        if learner.path(name).is_file():
            namespace = {"__file__": str(learner.path(name)), "__name__": "gunicorn_conf"}
            exec(compile(learner.source(name), name, "exec"), namespace)
            conf = namespace
        elif option(args, "-c", "--config"):
            pytest.fail(
                f"gunicorn is given --config {path}, but there is no {name} beside the Dockerfile"
            )
        bind = option(args, "-b", "--bind") or conf.get("bind")
        info["bind"] = [bind] if isinstance(bind, str) else list(bind or [])
        info["worker_class"] = option(args, "-k", "--worker-class") or conf.get("worker_class")
        workers = option(args, "-w", "--workers") or conf.get("workers")
        info["workers"] = workers
        info["reload"] = "--reload" in args or bool(conf.get("reload"))
        info["app"] = args + ([conf["wsgi_app"]] if conf.get("wsgi_app") else [])
        # where gunicorn looks for its config file, and the settings the tests took from it
        info["config"] = option(args, "-c", "--config")
        info["conf_file"] = name
        info["from_conf"] = [
            name
            for name, given in (
                ("bind", option(args, "-b", "--bind")),
                ("worker_class", option(args, "-k", "--worker-class")),
                ("workers", option(args, "-w", "--workers")),
                ("wsgi_app", "app.main:app" in args),
            )
            if not given and conf.get(name)
        ]
    elif launcher in ("uvicorn", "fastapi"):
        host = option(args, None, "--host") or ("0.0.0.0" if launcher == "fastapi" else "127.0.0.1")
        port = option(args, None, "--port") or "8000"
        info["bind"] = [f"{host}:{port}"]
        info["worker_class"] = "uvicorn"
        info["workers"] = option(args, None, "--workers")
        info["reload"] = "--reload" in args
        info["app"] = args
    else:
        pytest.fail(
            f"the command runs {launcher!r}: run gunicorn (or uvicorn/fastapi run with --workers)"
        )
    return info


# ---- Task 1: base image and working directory ----------------------------


@pytest.mark.task(1)
def test_final_image_is_a_pinned_slim_python(dockerfile):
    image = dockerfile.final_image()
    assert SLIM_PYTHON.match(image), (
        f"the final stage is built FROM {image}: use a python:3.11 to 3.14 -slim tag "
        "(for example python:3.12-slim), never latest"
    )


@pytest.mark.task(1)
def test_final_stage_sets_a_workdir(dockerfile):
    assert dockerfile.index_of(lambda i: i["instruction"] == "WORKDIR", stage="final"), (
        "the final stage has no WORKDIR"
    )


# ---- Task 2: dependencies in their own layer ------------------------------


@pytest.mark.task(2)
def test_requirements_installed_before_the_code_is_copied(dockerfile):
    installs = dockerfile.index_of(is_requirements_install)
    assert installs, "no RUN pip install -r requirements.txt found"
    reqs = dockerfile.index_of(copies_requirements)
    assert reqs and reqs[0] < installs[0], (
        "requirements.txt is not COPYed before pip install -r runs"
    )
    code = dockerfile.index_of(copies_whole_context)
    assert code, "no COPY . . (or COPY ./app ...) of the application code found"
    late = [
        cmd
        for i in dockerfile.index_of(is_pip_install)
        if i > code[0]
        for cmd in shell_commands(dockerfile.instructions[i]["value"])
        if PIP_INSTALL.search(cmd)
    ]
    copy = instruction_text(dockerfile.instructions[code[0]])
    assert not late, (
        f"`{late[0]}` runs after {copy}: every code change would reinstall the dependencies"
    )


@pytest.mark.task(2)
def test_pip_install_uses_no_cache_dir(dockerfile):
    for i in dockerfile.index_of(is_pip_install):
        value = dockerfile.instructions[i]["value"]
        for cmd in shell_commands(value):
            if PIP_INSTALL.search(cmd):
                assert "--no-cache-dir" in cmd.split(), (
                    f"`{cmd}` keeps pip's cache in the image: every pip install of a RUN line "
                    "needs its own --no-cache-dir"
                )


# ---- Task 3: non-root user ------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_runs_as_a_non_root_user_after_the_installs(dockerfile):
    users = dockerfile.index_of(lambda i: i["instruction"] == "USER", stage="final")
    assert users, "the final stage has no USER: the server would run as root"
    last = dockerfile.instructions[users[-1]]["value"].strip()
    assert last.split(":")[0] not in ("root", "0"), f"the final USER is {last}"
    installs = dockerfile.index_of(is_pip_install, stage="final")
    assert not installs or installs[-1] < users[-1], "a pip install runs after the USER switch"


# ---- Task 4: the server ----------------------------------------------------


@pytest.mark.task(4)
def test_exposes_port_8000(dockerfile):
    ports = []
    for i in dockerfile.index_of(lambda i: i["instruction"] == "EXPOSE", stage="final"):
        ports += [p.split("/")[0] for p in dockerfile.instructions[i]["value"].split()]
    assert "8000" in ports, f"the final stage exposes {ports or 'no port'}, not 8000"


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_command_is_exec_form(dockerfile, learner):
    server(command(dockerfile), learner)


@pytest.mark.task(4)
def test_gunicorn_runs_uvicorn_workers(dockerfile, learner):
    info = server(command(dockerfile), learner)
    if info["launcher"] == "gunicorn":
        assert info["worker_class"] in WORKER_CLASSES, (
            f"gunicorn's worker class is {info['worker_class']!r}: use uvicorn_worker.UvicornWorker"
        )


@pytest.mark.task(4)
def test_binds_all_interfaces_on_8000(dockerfile, learner):
    info = server(command(dockerfile), learner)
    assert "0.0.0.0:8000" in info["bind"], (
        f"the server binds {info['bind'] or 'the default 127.0.0.1:8000'}"
    )


@pytest.mark.task(4)
def test_serves_app_main_app(dockerfile, learner):
    info = server(command(dockerfile), learner)
    targets = {"app.main:app"} | ({"app/main.py"} if info["launcher"] == "fastapi" else set())
    ok = bool(targets & set(info["app"]))
    assert ok, f"the command {' '.join(info['argv'])} does not serve app.main:app"


@pytest.mark.task(4)
def test_more_than_one_worker_is_set(dockerfile, learner):
    info = server(command(dockerfile), learner)
    try:
        workers = int(info["workers"])
    except (TypeError, ValueError):
        workers = 0
    assert workers >= 2, f"the worker count is {info['workers']!r}: set at least 2 explicitly"


def final_workdir(instructions):
    workdir = "/"
    for ins in instructions:
        if ins["instruction"] == "WORKDIR":
            workdir = posixpath.join(workdir, ins["value"].strip().strip("\"'"))
    return posixpath.normpath(workdir)


# Folders of the python slim images, which exist before any instruction runs.
BASE_FOLDERS = {
    "/",
    "/bin",
    "/etc",
    "/home",
    "/opt",
    "/root",
    "/srv",
    "/tmp",
    "/usr",
    "/usr/local",
    "/usr/local/bin",
    "/usr/local/lib",
    "/usr/src",
    "/var",
    "/var/tmp",
}


def with_parents(path):
    folders = set()
    while path not in folders:
        folders.add(path)
        path = posixpath.dirname(path)
    return folders


def conf_destinations(instructions, name="gunicorn.conf.py"):
    """Where the COPY/ADD instructions (not --from another stage) put the build context's
    `name`, as absolute paths in the image; None when a path depends on a variable.

    As Docker does, `COPY name dest` (one file, no trailing slash) puts it inside `dest` when
    that folder exists, and writes it as the file `dest` otherwise; a folder may come from the
    base image, a WORKDIR, an earlier COPY, or (when a RUN line names it) a mkdir."""
    places, workdir = set(), "/"
    folders, runs = set(BASE_FOLDERS), []
    for ins in instructions:
        if ins["instruction"] == "WORKDIR":
            workdir = posixpath.join(workdir, ins["value"].strip().strip("\"'"))
            folders |= with_parents(posixpath.normpath(workdir))
        if ins["instruction"] == "RUN":
            runs.append(ins["value"])
        if ins["instruction"] not in ("COPY", "ADD"):
            continue
        value = ins["value"].strip()
        try:
            words = json.loads(value) if value.startswith("[") else shlex.split(value)
        except ValueError:
            continue
        from_stage = any(w.startswith("--from") for w in words)
        words = [w for w in words if not w.startswith("--")]
        if len(words) < 2:
            continue
        *sources, dest = words
        if "$" in dest or "$" in workdir:
            return None
        target = posixpath.normpath(posixpath.join(workdir, dest))
        single_file = len(sources) == 1 and not dest.endswith("/")
        if from_stage:
            folders |= with_parents(target if not single_file else posixpath.dirname(target))
            continue
        # a folder that an earlier RUN (mkdir, useradd --create-home...) may have made
        relative = posixpath.normpath(dest)
        maybe_folder = posixpath.dirname(target) == "/home" or any(
            target in run or (relative not in (".", "..") and relative in run) for run in runs
        )
        for source in sources:
            source = posixpath.normpath(source).lstrip("/")
            if source == ".":
                places.add(posixpath.join(target, name))
                folders |= with_parents(target) | {posixpath.join(target, "app")}
            elif source in ("app", "app/"):
                folders |= with_parents(target)
            elif fnmatch.fnmatchcase(name, source):
                if single_file and source == name and target not in folders:
                    places.add(target)  # written as the file `dest`
                    if not maybe_folder:
                        continue
                places.add(posixpath.join(target, name))  # into the folder `dest`
        if not single_file:
            folders |= with_parents(target)
        else:
            folders |= with_parents(posixpath.dirname(target))
    return places


@pytest.mark.task(4)
def test_gunicorn_conf_is_copied_where_gunicorn_reads_it(dockerfile, learner):
    info = server(command(dockerfile), learner)
    if info["launcher"] != "gunicorn" or not (info["config"] or info["from_conf"]):
        return  # no gunicorn.conf.py is read: the command line says it all
    config = info["config"] or "gunicorn.conf.py"
    if config.startswith("python:"):
        return  # a Python module on the import path, not a file
    instructions = dockerfile.final_filesystem_instructions()
    workdir = final_workdir(instructions)
    places = conf_destinations(instructions, info["conf_file"])
    if places is None or "$" in config or "$" in workdir:
        return  # a path built from a variable: not checked
    read = posixpath.normpath(posixpath.join(workdir, config))
    where = (
        f"COPY puts it at {', '.join(sorted(places))}" if places else "no COPY puts it in the image"
    )
    effect = (
        "gunicorn would stop: config file not found"
        if info["config"]
        else f"gunicorn would run without its {', '.join(info['from_conf'])}"
    )
    if posixpath.dirname(read) in places:
        where += (
            " (a COPY destination without a trailing / names a file, unless that folder exists)"
        )
    assert read in places, f"gunicorn reads {read}, but {where}: {effect}"


@pytest.mark.task(4)
def test_no_reload_in_production(dockerfile, learner):
    info = server(command(dockerfile), learner)
    assert not info["reload"], "the server runs with --reload: a development option"


# ---- Task 5: .dockerignore -----------------------------------------------


def ignored(patterns, name):
    for raw in patterns:
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("!"):
            continue
        line = line.strip("/")
        while line.startswith("**/"):
            line = line[3:]
        line = line.removesuffix("/**")
        if fnmatch.fnmatch(name, line):
            return True
    return False


@pytest.mark.task(5)
@pytest.mark.parametrize("name", [".git", "__pycache__", ".venv"])
def test_dockerignore_excludes(learner, name):
    patterns = learner.source(".dockerignore").splitlines()
    assert ignored(patterns, name), f".dockerignore does not exclude {name}"
