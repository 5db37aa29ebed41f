"""Static checks of the learner's GitHub Actions workflow (nothing runs on GitHub)."""

import fnmatch
import importlib.util
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

WORKFLOW = "ci.yml"
SHA = re.compile(r"^[0-9a-f]{40}$")


@pytest.fixture
def workflow(learner):
    try:
        data = yaml.safe_load(learner.source(WORKFLOW))
    except yaml.YAMLError as exc:
        pytest.fail(f"{WORKFLOW} is not valid YAML: {exc}")
    assert isinstance(data, dict), f"{WORKFLOW} is not a mapping"
    if True in data:  # YAML 1.1 (PyYAML) reads the bare key `on` as the boolean True
        data["on"] = data.pop(True)
    return data


def triggers(workflow):
    on = workflow.get("on")
    if isinstance(on, str):
        return {on: {}}
    if isinstance(on, list):
        return {name: {} for name in on}
    return {name: (value or {}) for name, value in (on or {}).items()}


def jobs(workflow):
    return workflow.get("jobs") or {}


def run_text(step):
    return str(step.get("run", ""))


def is_test_step(step):
    return re.search(r"\bpytest\b", run_text(step))


INSTALL = re.compile(r"\bpip3?\s+install\b|\buv\s+(sync|pip\s+install)\b")


def commands(step):
    """The commands of a step's `run`, one per line or per && / || / ; part."""
    return [c.strip() for c in re.split(r"&&|\|\||;|\n", run_text(step)) if c.strip()]


@pytest.fixture
def unit_job(workflow):
    for name, job in jobs(workflow).items():
        if any(is_test_step(s) for s in job.get("steps", [])):
            return name, job
    pytest.fail("no job has a step that runs pytest")


# --- a small evaluator of GitHub expressions, for job-level `if:` -------------

TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||!|\(|\)|,)"
    r"|(?P<name>[A-Za-z_][\w.-]*(?:\[\s*'[^']*'\s*\])*))"
)


class _Text(str):
    """A string that compares case-insensitively, as GitHub expressions do."""

    def __eq__(self, other):
        return isinstance(other, str) and self.casefold() == other.casefold()

    def __ne__(self, other):
        return not self == other

    __hash__ = str.__hash__


def _functions():
    return {
        "startsWith": lambda a, b: str(a).casefold().startswith(str(b).casefold()),
        "endsWith": lambda a, b: str(a).casefold().endswith(str(b).casefold()),
        "contains": lambda a, b: (
            str(b).casefold() in str(a).casefold()
            if isinstance(a, str)
            else any(_Text(x) == b for x in a)
        ),
        "success": lambda: True,
        "always": lambda: True,
        "failure": lambda: False,
        "cancelled": lambda: False,
    }


WHOLE_EXPRESSION = re.compile(r"\$\{\{((?:(?!\}\}).)*)\}\}", re.DOTALL)


def mixes_text(expression):
    """An if: with text beside its ${{ }} (`${{ a }} && b`): GitHub substitutes the ${{ }}
    parts and reads the whole as a string, which is not empty, hence always true."""
    text = str(expression).strip()
    return "${{" in text and not WHOLE_EXPRESSION.fullmatch(text)


def evaluate(expression, context):
    """Evaluate `expression` (with or without ${{ }}) against a dict of contexts."""
    text = str(expression).strip()
    if mixes_text(text):
        return True  # a non-empty string
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    out, pos, functions = [], 0, _functions()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            if text[pos:].strip() == "":
                break
            pytest.fail(f"cannot read the expression {expression!r}")
        pos = match.end()
        if match.group("str") is not None:
            out.append(repr(match.group("str")[1:-1].replace("''", "'")))
        elif match.group("num") is not None:
            out.append(match.group("num"))
        elif match.group("op") is not None:
            op = match.group("op")
            out.append({"&&": " and ", "||": " or ", "!": " not "}.get(op, op))
        else:
            name = match.group("name")
            if name in functions:
                out.append(f"_f[{name!r}]")
            elif name in ("true", "false", "null"):
                out.append({"true": "True", "false": "False", "null": "None"}[name])
            else:
                out.append(f"_c({name!r})")

    def lookup(path):
        value = context
        for part in re.findall(r"[\w-]+|'[^']*'", path):
            part = part.strip("'")
            value = value.get(part) if isinstance(value, dict) else None
        return _Text(value) if isinstance(value, str) else value

    try:
        return bool(eval("".join(out), {"__builtins__": {}}, {"_f": functions, "_c": lookup}))
    except SyntaxError:
        pytest.fail(f"cannot read the expression {expression!r}")


def scenarios(workflow):
    """(description, github context, should_deploy) for the events that trigger the workflow."""
    on = triggers(workflow)
    cases = []
    push = on.get("push")
    if "push" in on:
        cases.append(
            (
                "a push to main",
                {
                    "event_name": "push",
                    "ref": "refs/heads/main",
                    "ref_name": "main",
                    "base_ref": "",
                    "head_ref": "",
                },
                True,
            )
        )
        branches = (push or {}).get("branches")
        ignored = (push or {}).get("branches-ignore", [])
        tags_only = push and "tags" in push and branches is None
        if not tags_only and (
            branches is None
            and not any(fnmatch.fnmatch("feature/login", p) for p in ignored)
            or branches is not None
            and any(fnmatch.fnmatch("feature/login", p) for p in branches)
        ):
            cases.append(
                (
                    "a push to feature/login",
                    {
                        "event_name": "push",
                        "ref": "refs/heads/feature/login",
                        "ref_name": "feature/login",
                        "base_ref": "",
                        "head_ref": "",
                    },
                    False,
                )
            )
    for event in ("pull_request", "pull_request_target"):
        if event in on:
            cases.append(
                (
                    f"a {event} into main",
                    {
                        "event_name": event,
                        "ref": "refs/pull/7/merge",
                        "ref_name": "7/merge",
                        "base_ref": "main",
                        "head_ref": "feature/login",
                    },
                    False,
                )
            )
    return cases


# ---- Task 1: a valid workflow, its triggers and permissions ----------------


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_valid_against_the_github_workflow_schema(workflow):
    # check-jsonschema's vendored schema, read without importing the package (its CLI is slow)
    package = Path(importlib.util.find_spec("check_jsonschema").submodule_search_locations[0])
    schema_file = package / "builtin_schemas" / "vendor" / "github-workflows.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(workflow))
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path) or "the top level"
        pytest.fail(f"{WORKFLOW} is not a valid workflow: at {where}: {error.message[:300]}")


@pytest.mark.task(1)
def test_runs_on_push_to_main(workflow):
    on = triggers(workflow)
    assert "push" in on, f"the workflow's triggers are {sorted(on)}: add push"
    branches = (on["push"] or {}).get("branches")
    if branches is not None:
        assert any(fnmatch.fnmatch("main", b) for b in branches), (
            f"push is limited to branches {branches}, which exclude main"
        )


@pytest.mark.task(1)
def test_runs_on_pull_requests(workflow):
    assert "pull_request" in triggers(workflow), "the workflow does not run on pull_request"


@pytest.mark.task(1)
def test_default_permissions_are_read_only(workflow):
    permissions = workflow.get("permissions")
    assert isinstance(permissions, dict) and permissions.get("contents") == "read", (
        f"top-level permissions are {permissions!r}: set contents: read"
    )


@pytest.mark.task(1)
def test_no_action_pinned_to_a_branch(workflow):
    for name, job in jobs(workflow).items():
        for step in job.get("steps", []):
            uses = step.get("uses", "")
            if "@" in uses:
                ref = uses.rsplit("@", 1)[1]
                assert ref not in ("master", "main"), (
                    f"job {name} uses {uses}: pin a release tag or a commit SHA, not a branch"
                )


# ---- Task 2: the test job --------------------------------------------------


@pytest.mark.task(2)
def test_test_job_runs_on_ubuntu(unit_job):
    name, job = unit_job
    runs_on = job.get("runs-on")
    labels = [runs_on] if isinstance(runs_on, str) else list(runs_on or [])
    assert any(str(label).startswith("ubuntu-") for label in labels), (
        f"job {name} runs on {runs_on!r}, not an ubuntu-* runner"
    )


@pytest.mark.task(2)
def test_matrix_of_pythons_includes_312(unit_job, learner):
    name, job = unit_job
    matrix = (job.get("strategy") or {}).get("matrix") or {}
    versions = matrix.get("python-version")
    assert isinstance(versions, list) and len(versions) >= 2, (
        f"job {name} has matrix python-version {versions!r}: list at least two versions"
    )
    assert "3.12" in [str(v) for v in versions], f"the matrix {versions} lacks 3.12"
    for text, value in matrix_version_scalars(learner.source(WORKFLOW), name):
        assert str(value) == text, (
            f"the matrix lists {text} unquoted: YAML reads it as the number {value}, so "
            f'setup-python would look for Python {value}; quote it: "{text}"'
        )


NUMBER_TAGS = ("tag:yaml.org,2002:float", "tag:yaml.org,2002:int")


def matrix_version_scalars(source, job_name):
    """(text as written, value YAML made of it) of each unquoted number in the job's
    strategy.matrix.python-version list."""
    node = yaml.compose(source, Loader=yaml.SafeLoader)
    for key in ("jobs", job_name, "strategy", "matrix", "python-version"):
        found = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
                    found = value_node
        node = found
    if not isinstance(node, yaml.SequenceNode):
        return []
    numbers = []
    for item in node.value:
        if isinstance(item, yaml.ScalarNode) and item.tag in NUMBER_TAGS:
            numbers.append((item.value, yaml.safe_load(item.value)))
    return numbers


def action_major(uses):
    ref = uses.rsplit("@", 1)[1] if "@" in uses else ""
    if SHA.match(ref):
        return 10**6
    match = re.fullmatch(r"v(\d+)(\.\d+)*", ref)
    return int(match.group(1)) if match else -1


@pytest.mark.task(2)
@pytest.mark.parametrize(
    ("action", "minimum"), [("actions/checkout", 4), ("actions/setup-python", 5)]
)
def test_uses_current_actions(unit_job, action, minimum):
    name, job = unit_job
    used = [
        s["uses"] for s in job.get("steps", []) if str(s.get("uses", "")).startswith(action + "@")
    ]
    assert used, f"job {name} does not use {action}"
    assert action_major(used[0]) >= minimum, f"job {name} uses {used[0]}: use v{minimum} or later"


@pytest.mark.task(2)
def test_setup_python_uses_the_matrix(unit_job):
    name, job = unit_job
    for step in job.get("steps", []):
        if str(step.get("uses", "")).startswith("actions/setup-python@"):
            value = str((step.get("with") or {}).get("python-version", ""))
            assert re.search(r"matrix\.python-version", value), (
                f"setup-python gets python-version {value!r}, not ${{{{ matrix.python-version }}}}"
            )


@pytest.mark.task(2)
def test_installs_then_runs_pytest(unit_job):
    name, job = unit_job
    steps = job.get("steps", [])
    # (step, command within its run) of each install and each pytest run: one step may do both
    installs, tests = [], []
    for i, step in enumerate(steps):
        for k, cmd in enumerate(commands(step)):
            if INSTALL.search(cmd):
                installs.append((i, k))
            elif re.search(r"\bpytest\b", cmd):
                tests.append((i, k))
    checkout = [
        i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("actions/checkout@")
    ]
    assert installs, f"job {name} never installs the dependencies (pip install or uv sync)"
    assert tests, f"job {name} installs pytest but never runs it"
    where = (
        f"in step {installs[0][0]}, pytest runs before the install"
        if installs[0][0] == tests[-1][0] and tests[-1] < installs[0]
        else f"checkout in steps {checkout}, first install in step {installs[0][0]}, "
        f"last pytest in step {tests[-1][0]}"
    )
    assert checkout and checkout[0] < installs[0][0] and installs[0] < tests[-1], (
        f"job {name} must check out, then install, then run pytest ({where})"
    )


# ---- Task 3: the build job -------------------------------------------------


@pytest.fixture
def build_job(workflow, unit_job):
    for name, job in jobs(workflow).items():
        steps = job.get("steps", [])
        if any(
            str(s.get("uses", "")).startswith("docker/build-push-action@")
            or re.search(r"\bdocker\s+(build|buildx\s+build)\b", run_text(s))
            for s in steps
        ):
            return name, job
    pytest.fail("no job builds the image (docker/build-push-action or docker build)")


@pytest.mark.task(3)
def test_build_needs_the_tests(build_job, unit_job):
    name, job = build_job
    needs = job.get("needs", [])
    needs = [needs] if isinstance(needs, str) else list(needs)
    assert unit_job[0] in needs, f"job {name} has needs: {needs or 'nothing'}, not {unit_job[0]}"


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_build_runs_only_for_pushes_to_main(workflow, build_job):
    name, job = build_job
    condition = job.get("if", True)
    for description, github, expected in scenarios(workflow):
        ran = condition is True or evaluate(condition, {"github": github})
        if ran != expected:
            assert not mixes_text(condition), (
                f"on {description}, job {name} would run: an if: with text beside its ${{{{ }}}} "
                "is a string to GitHub, never empty, so always true; put the whole condition in "
                f"one ${{{{ }}}}, or none (if: {condition!r})"
            )
        assert ran == expected, f"on {description}, job {name} (if: {condition!r}) would " + (
            "run" if ran else "be skipped"
        )
