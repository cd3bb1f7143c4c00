"""deploy/kubernetes: valid against the Kubernetes API's own schemas (kubernetes-validate, which
ships them: offline), and in agreement with the worker and the image, so neither can drift:
the args parse with the worker's parser, the probes ask the health port, the ports, the
Secret's keys and paths, the user, and the termination numbers match the worker's drain."""

from __future__ import annotations

import copy
import shutil
import subprocess
from typing import Any

import kubernetes_validate
import pytest
import yaml

from dspy_connect.worker.auth import token_weakness
from dspy_connect.worker.cli import parse_args

from .deploy_files import KUBERNETES, TLS_MERGED, dockerfile_instructions, manifest, manifests

# The oldest Kubernetes the manifests are for (the preStop sleep action is on by default since
# 1.30) and the newest whose schemas kubernetes-validate ships.
VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
# What the worker needs between its --grace running out and its exit (service.close, exit).
EXIT_MARGIN_S = 5


def pod() -> dict[str, Any]:
    return manifest("Deployment")["spec"]["template"]


def container() -> dict[str, Any]:
    (found,) = pod()["spec"]["containers"]
    return found


def flag(name: str) -> str:
    args = container()["args"]
    return args[args.index(name) + 1]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_manifest_is_valid_against_the_api_schemas(version):
    objects = manifests()
    assert {o["kind"] for o in objects} == {"Deployment", "Service", "Secret", "PodDisruptionBudget"}
    for obj in objects:
        kubernetes_validate.validate(obj, version, strict=True)  # raises on any fault


def test_the_validator_rejects_what_the_api_server_would():
    broken = copy.deepcopy(manifest("Deployment"))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["grpc"]["port"] = "health"  # an int only
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, VERSIONS[-1], strict=True)
    unknown = copy.deepcopy(manifest("Service"))
    unknown["spec"]["headless"] = True  # no such field
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(unknown, VERSIONS[-1], strict=True)


def test_kustomization_applies_everything_but_the_placeholder_secrets():
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    files = {path.name for path in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml", "secret.yaml"}
    assert set(kustomization["resources"]) == files
    assert [image["name"] for image in kustomization["images"]] == [container()["image"].split(":")[0]]


@pytest.mark.xfail(not TLS_MERGED, reason="the TLS flags are on the tls branch of issue 19", strict=True)
def test_the_worker_parses_the_deployments_args():
    args = parse_args(container()["args"])
    assert (args.tcp, args.health_port, args.insecure) == ("0.0.0.0:7000", 7001, False)
    mount = next(m["mountPath"] for m in container()["volumeMounts"] if m["name"] == "tls")
    assert (str(args.tls_cert), str(args.tls_key)) == (f"{mount}/tls.crt", f"{mount}/tls.key")


def test_the_probes_ask_the_health_port_and_the_service_the_worker_port():
    ports = {p["name"]: p["containerPort"] for p in container()["ports"]}
    health = int(flag("--health-port"))
    assert ports["health"] == health
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container()[probe]["grpc"] == {"port": health}, probe
    worker_port = int(flag("--tcp").rpartition(":")[2])
    assert ports["grpc"] == worker_port
    service = manifest("Service")["spec"]
    assert service["clusterIP"] == "None"
    assert service["publishNotReadyAddresses"] is False
    assert [(p["port"], p["targetPort"]) for p in service["ports"]] == [(worker_port, "grpc")]


def test_selectors_match_the_pods():
    labels = pod()["metadata"]["labels"]
    for selector in (
        manifest("Service")["spec"]["selector"],
        manifest("PodDisruptionBudget")["spec"]["selector"]["matchLabels"],
        manifest("Deployment")["spec"]["selector"]["matchLabels"],
    ):
        assert selector.items() <= labels.items()


def test_the_token_and_tls_come_from_the_secrets():
    secrets = {s["metadata"]["name"]: s for s in manifests() if s["kind"] == "Secret"}
    env = {e["name"]: e for e in container()["env"]}
    ref = env[flag("--token-env")]["valueFrom"]["secretKeyRef"]
    assert ref["key"] in secrets[ref["name"]]["stringData"]
    tls_volume = next(v for v in pod()["spec"]["volumes"] if v["name"] == "tls")
    tls_secret = secrets[tls_volume["secret"]["secretName"]]
    mount = next(m["mountPath"] for m in container()["volumeMounts"] if m["name"] == "tls")
    for name in ("--tls-cert", "--tls-key"):
        folder, _, key = flag(name).rpartition("/")
        assert folder == mount
        assert key in tls_secret["stringData"]


def test_the_placeholder_token_is_one_the_worker_refuses():
    (token,) = [s["stringData"]["token"] for s in manifests() if s["kind"] == "Secret" and "token" in s["stringData"]]
    assert token_weakness(token) is not None


def test_termination_outlasts_prestop_plus_the_workers_drain():
    spec = pod()["spec"]
    pre_stop = container()["lifecycle"]["preStop"]["sleep"]["seconds"]
    grace = float(flag("--grace"))
    assert spec["terminationGracePeriodSeconds"] >= pre_stop + grace + EXIT_MARGIN_S
    # Clients stop choosing a deleted pod within DNS's TTL (5 s) plus their re-resolve period (5 s).
    assert pre_stop >= 10


def test_the_pod_runs_as_the_images_user_on_a_read_only_root():
    uid = int([args for word, args in dockerfile_instructions() if word == "USER"][-1].split(":")[0])
    home = next(args for word, args in dockerfile_instructions() if word == "ENV" and "HOME=" in args)
    security = pod()["spec"]["securityContext"]
    assert (security["runAsNonRoot"], security["runAsUser"]) == (True, uid)
    own = container()["securityContext"]
    assert (own["readOnlyRootFilesystem"], own["allowPrivilegeEscalation"], own["capabilities"]["drop"]) == (True, False, ["ALL"])
    writable = {m["mountPath"] for m in container()["volumeMounts"] if not m.get("readOnly")}
    assert "HOME=/home/worker" in home
    assert writable == {"/home/worker", "/tmp"}  # noqa: S108 (an emptyDir of the pod)


def test_requests_fit_within_limits():
    resources = container()["resources"]
    mib = {"Mi": 1, "Gi": 1024}
    memory = {side: int(resources[side]["memory"][:-2]) * mib[resources[side]["memory"][-2:]] for side in ("requests", "limits")}
    assert 0 < memory["requests"] <= memory["limits"]
    assert 0 < float(resources["requests"]["cpu"]) <= float(resources["limits"]["cpu"])


KUBECTL = shutil.which("kubectl")


# kubectl is no registry package here; where a machine has it, its built-in kustomize runs.
@pytest.mark.skipif(KUBECTL is None, reason="no kubectl on PATH: kustomize's own build is not run")
def test_kubectl_kustomize_builds_valid_objects_with_the_image_set():
    assert KUBECTL is not None
    built = subprocess.run([KUBECTL, "kustomize", str(KUBERNETES)], capture_output=True, text=True, timeout=60, check=True)
    objects = [doc for doc in yaml.safe_load_all(built.stdout) if doc]
    assert sorted(o["kind"] for o in objects) == ["Deployment", "PodDisruptionBudget", "Service"]
    for obj in objects:
        kubernetes_validate.validate(obj, VERSIONS[-1], strict=True)
    (image,) = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())["images"]
    (deployment,) = [o for o in objects if o["kind"] == "Deployment"]
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == f"{image['newName']}:{image['newTag']}"
