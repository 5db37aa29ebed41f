"""Static checks of the learner's ECS task definition and service (no AWS is called)."""

import json
import re

import jsonschema
import pytest

# The shape the tests rely on (a subset of what `aws ecs register-task-definition` and
# `aws ecs create-service --cli-input-json` accept).
TASK_SCHEMA = {
    "type": "object",
    "required": ["family", "containerDefinitions", "cpu", "memory"],
    "properties": {
        "family": {"type": "string", "pattern": r"^[A-Za-z0-9_-]{1,255}$"},
        "cpu": {"type": ["string", "integer"]},
        "memory": {"type": ["string", "integer"]},
        "networkMode": {"enum": ["awsvpc", "bridge", "host", "none"]},
        "requiresCompatibilities": {"type": "array", "items": {"type": "string"}},
        "executionRoleArn": {"type": "string"},
        "taskRoleArn": {"type": "string"},
        "containerDefinitions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "image"],
                "properties": {
                    "name": {"type": "string"},
                    "image": {"type": "string"},
                    "essential": {"type": "boolean"},
                    "portMappings": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["containerPort"],
                            "properties": {
                                "containerPort": {"type": "integer"},
                                "hostPort": {"type": "integer"},
                                "protocol": {"enum": ["tcp", "udp"]},
                            },
                        },
                    },
                    "environment": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["name", "value"],
                            "properties": {"name": {"type": "string"}, "value": {"type": "string"}},
                        },
                    },
                    "secrets": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["name", "valueFrom"],
                            "properties": {
                                "name": {"type": "string"},
                                "valueFrom": {"type": "string"},
                            },
                        },
                    },
                    "healthCheck": {
                        "type": "object",
                        "required": ["command"],
                        "properties": {
                            "command": {"type": "array", "items": {"type": "string"}},
                            "interval": {"type": "integer"},
                            "timeout": {"type": "integer"},
                            "retries": {"type": "integer"},
                            "startPeriod": {"type": "integer"},
                        },
                    },
                    "logConfiguration": {
                        "type": "object",
                        "required": ["logDriver"],
                        "properties": {
                            "logDriver": {"type": "string"},
                            "options": {
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                            },
                        },
                    },
                },
            },
        },
    },
}

SERVICE_SCHEMA = {
    "type": "object",
    "required": ["serviceName", "taskDefinition", "desiredCount"],
    "properties": {
        "serviceName": {"type": "string"},
        "cluster": {"type": "string"},
        "taskDefinition": {"type": "string"},
        "desiredCount": {"type": "integer"},
        "launchType": {"enum": ["FARGATE", "EC2", "EXTERNAL"]},
        "capacityProviderStrategy": {"type": "array"},
        "loadBalancers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["containerName", "containerPort"],
                "properties": {
                    "targetGroupArn": {"type": "string"},
                    "containerName": {"type": "string"},
                    "containerPort": {"type": "integer"},
                },
            },
        },
        "networkConfiguration": {"type": "object"},
        "deploymentConfiguration": {
            "type": "object",
            "properties": {
                "deploymentCircuitBreaker": {
                    "type": "object",
                    "required": ["enable"],
                    "properties": {"enable": {"type": "boolean"}, "rollback": {"type": "boolean"}},
                }
            },
        },
    },
}

# Valid Fargate (cpu units -> memory MiB) combinations, as the prompt's table lists them.
FARGATE = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4096 + 1, 1024)),
    1024: list(range(2048, 8192 + 1, 1024)),
    2048: list(range(4096, 16384 + 1, 1024)),
    4096: list(range(8192, 30720 + 1, 1024)),
    8192: list(range(16384, 61440 + 1, 4096)),
    16384: list(range(32768, 122880 + 1, 8192)),
}
SECRET_ARN = re.compile(
    r"^arn:aws[\w-]*:(ssm:[\w-]+:\d{12}:parameter/\S+|secretsmanager:[\w-]+:\d{12}:secret:\S+)$"
)
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN", re.IGNORECASE)
# A version tag, as the prompt defines it: a digit or v and a digit first (1.4.2, v2, 2024.06.1),
# or a commit id of 7 to 40 hex digits; never a name that moves (latest, stable, prod).
VERSION_TAG = re.compile(r"^(v?\d[\w.-]*|[0-9a-f]{7,40})$", re.IGNORECASE)


def load(learner, name, schema):
    try:
        data = json.loads(learner.source(name))
    except json.JSONDecodeError as exc:
        pytest.fail(f"{name} is not valid JSON: {exc}")
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(data)
    )
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "the top level"
        pytest.fail(f"{name}: at {where}: {error.message}")
    return data


@pytest.fixture
def task(learner):
    return load(learner, "ecs/task-definition.json", TASK_SCHEMA)


@pytest.fixture
def service(learner):
    return load(learner, "ecs/service.json", SERVICE_SCHEMA)


@pytest.fixture
def container(task):
    for c in task["containerDefinitions"]:
        if any(p.get("containerPort") == 8000 for p in c.get("portMappings", [])):
            return c
    pytest.fail("no container in containerDefinitions maps containerPort 8000")


def amount(value, unit, scale):
    """'1024', 1024, '1 vCPU' or '2 GB' -> cpu units / MiB."""
    text = str(value).strip()
    match = re.fullmatch(rf"(\d+(?:\.\d+)?)\s*{unit}", text, re.IGNORECASE)
    if match:
        return int(float(match.group(1)) * scale)
    return int(text) if text.isdigit() else None


# ---- Task 1: the task ------------------------------------------------------


@pytest.mark.task(1)
def test_requires_fargate(task):
    assert task.get("requiresCompatibilities") == ["FARGATE"], (
        f"requiresCompatibilities is {task.get('requiresCompatibilities')!r}"
    )


@pytest.mark.task(1)
def test_network_mode_is_awsvpc(task):
    assert task.get("networkMode") == "awsvpc", (
        f"networkMode is {task.get('networkMode')!r}: Fargate needs awsvpc"
    )


@pytest.mark.task(1)
def test_cpu_memory_is_a_fargate_pair(task):
    cpu = amount(task["cpu"], "vCPU", 1024)
    memory = amount(task["memory"], "GB", 1024)
    assert cpu in FARGATE and memory in FARGATE[cpu], (
        f"cpu {task['cpu']!r} with memory {task['memory']!r} is not a valid Fargate combination"
    )


@pytest.mark.task(1)
def test_execution_role_is_set(task):
    role = task.get("executionRoleArn", "")
    assert re.match(r"^arn:aws[\w-]*:iam::\d{12}:role/\S+$", role), (
        f"executionRoleArn is {role!r}: give the ARN of an IAM role"
    )


# ---- Task 2: the container -------------------------------------------------


@pytest.mark.task(2)
def test_container_is_essential(container):
    assert container.get("essential", True) is True, "the app container has essential: false"


@pytest.mark.task(2)
def test_image_is_pinned(container):
    image = container["image"]
    if "@sha256:" in image:
        return
    name = image.rsplit("/", 1)[-1]
    tag = name.split(":", 1)[1] if ":" in name else None
    assert tag, f"image {image} has no tag (so :latest): pin a version tag or a @sha256: digest"
    assert VERSION_TAG.match(tag), (
        f"image {image}: {tag!r} is not a version tag but a name that moves from build to build; "
        "pin a version (1.4.2, v1.4) or a @sha256: digest"
    )


@pytest.mark.task(2)
def test_port_8000_is_mapped_for_awsvpc(container):
    for mapping in container["portMappings"]:
        if mapping["containerPort"] == 8000:
            assert mapping.get("hostPort", 8000) == 8000, (
                f"hostPort is {mapping['hostPort']}: with awsvpc it must equal containerPort"
            )


@pytest.mark.task(2)
def test_health_check_probes_health(container):
    check = container.get("healthCheck")
    assert check, "the container has no healthCheck"
    command = check["command"]
    assert command and command[0] in ("CMD", "CMD-SHELL"), (
        f"healthCheck.command starts with {command[:1]}: use CMD-SHELL or CMD"
    )
    text = " ".join(command[1:])
    assert re.search(r"(localhost|127\.0\.0\.1):8000/health\b", text), (
        f"healthCheck.command {command} does not request http://localhost:8000/health"
    )


@pytest.mark.task(2)
def test_logs_go_to_cloudwatch(container):
    config = container.get("logConfiguration") or {}
    assert config.get("logDriver") == "awslogs", f"logDriver is {config.get('logDriver')!r}"
    options = config.get("options") or {}
    missing = [
        k
        for k in ("awslogs-group", "awslogs-region", "awslogs-stream-prefix")
        if not options.get(k)
    ]
    assert not missing, f"logConfiguration.options lacks {', '.join(missing)}"


# ---- Task 3: secrets -------------------------------------------------------


@pytest.mark.task(3)
@pytest.mark.parametrize("name", ["DATABASE_URL", "SECRET_KEY"])
def test_secret_comes_from_a_store(container, name):
    found = [s for s in container.get("secrets", []) if s["name"] == name]
    assert found, f"{name} is not in the container's secrets"
    arn = found[0]["valueFrom"]
    assert SECRET_ARN.match(arn), (
        f"{name}.valueFrom is {arn!r}: give an SSM parameter or Secrets Manager ARN"
    )


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_no_plaintext_secrets_in_environment(task):
    for c in task["containerDefinitions"]:
        for variable in c.get("environment", []):
            name = variable["name"]
            assert not SECRET_NAME.search(name) and name != "DATABASE_URL", (
                f"environment variable {name} of container {c['name']} is stored in plain text"
            )


# ---- Task 4: the service ---------------------------------------------------


@pytest.mark.task(4)
def test_service_runs_the_task_family(service, task):
    ref = service["taskDefinition"]
    family = ref.rsplit("task-definition/", 1)[-1].split(":")[0]
    assert family == task["family"], (
        f"taskDefinition {ref!r} does not name the family {task['family']!r}"
    )


@pytest.mark.task(4)
def test_service_runs_on_fargate(service):
    providers = [p.get("capacityProvider") for p in service.get("capacityProviderStrategy", [])]
    fargate = service.get("launchType") == "FARGATE" or (
        "launchType" not in service
        and providers
        and all(p in ("FARGATE", "FARGATE_SPOT") for p in providers)
    )
    assert fargate, f"launchType is {service.get('launchType')!r}, capacity providers {providers}"


@pytest.mark.task(4)
def test_at_least_two_tasks(service):
    assert service["desiredCount"] >= 2, f"desiredCount is {service['desiredCount']}"


@pytest.mark.task(4)
def test_load_balancer_targets_the_container_on_8000(service, container):
    targets = [
        (lb.get("containerName"), lb.get("containerPort"))
        for lb in service.get("loadBalancers", [])
    ]
    assert (container["name"], 8000) in targets, (
        f"loadBalancers target {targets or 'nothing'}, not container {container['name']!r} on 8000"
    )
    assert all(lb.get("targetGroupArn") for lb in service["loadBalancers"]), (
        "a loadBalancers entry has no targetGroupArn"
    )


@pytest.mark.task(4)
def test_awsvpc_network_configuration(service):
    vpc = (service.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    assert vpc.get("subnets"), "networkConfiguration.awsvpcConfiguration has no subnets"


@pytest.mark.task(4)
def test_deployment_circuit_breaker_enabled(service):
    breaker = (service.get("deploymentConfiguration") or {}).get("deploymentCircuitBreaker") or {}
    assert breaker.get("enable") is True, (
        f"deploymentConfiguration.deploymentCircuitBreaker is {breaker or 'missing'}"
    )
