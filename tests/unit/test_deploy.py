"""The deploy/ folder: no container engine runs here, so its files are checked.

Every YAML and JSON file parses; the compose file, the alert rules, the Grafana
dashboard and the Kubernetes manifests have the parts the backbone needs; and every
metric a PromQL expression names is one the code exports, while every metric the
code defines shows on the dashboard.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY
from prometheus_client.metrics import MetricWrapperBase

import bonded.metrics
import gateway.metrics
import streams.metrics
from schemas.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
METRIC_MODULES: tuple[ModuleType, ...] = (
    bonded.metrics,
    streams.metrics,
    gateway.metrics,
)
METRIC_NAME = re.compile(r"(?<![A-Za-z0-9_:])bonded_[a-z0-9_]+")
BONDED_SERVICES = ("gateway", "worker-1", "worker-2")
EXPECTED_ALERTS = {
    "BondedRelayLagHigh",
    "BondedConsumerLagHigh",
    "BondedSubcentreDeadLetters",
    "BondedDepositExhausted",
    "BondedPostingRefused",
    "BondedCommandsFailing",
    "BondedWorkerDown",
}


# --- helpers ----------------------------------------------------------------------


def load_yaml(path: Path) -> list[Any]:
    with path.open(encoding="utf-8") as stream:
        return list(yaml.safe_load_all(stream))


def load_one(path: Path) -> Any:
    [document] = load_yaml(path)
    return document


def yaml_files() -> list[Path]:
    return sorted(p for p in DEPLOY.rglob("*") if p.suffix in {".yml", ".yaml"})


def sample_names(family_name: str, family_type: str) -> set[str]:
    """The sample names a metric family is exported under (text format)."""
    if family_type == "counter":
        return {f"{family_name}_total"}
    if family_type == "histogram":
        return {f"{family_name}{suffix}" for suffix in ("_bucket", "_sum", "_count")}
    if family_type == "summary":
        return {family_name, f"{family_name}_sum", f"{family_name}_count"}
    if family_type == "info":
        return {f"{family_name}_info"}
    return {family_name}


def exported_samples() -> dict[str, str]:
    """Every sample name in the default registry, mapped to its family's name.

    Labelled metrics without children yet have no samples, so the names come from
    each family's name and type instead.
    """
    exported: dict[str, str] = {}
    for family in REGISTRY.collect():
        for sample in sample_names(family.name, family.type):
            exported[sample] = family.name
    return exported


def defined_families(modules: Iterable[ModuleType]) -> set[str]:
    """Family names of the metrics the given modules define."""
    names: set[str] = set()
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, MetricWrapperBase):
                names.update(family.name for family in value.describe())
    return names


def metric_names(expressions: Iterable[str]) -> set[str]:
    return {name for expr in expressions for name in METRIC_NAME.findall(expr)}


def unknown_metrics(expressions: Iterable[str]) -> set[str]:
    """Names in the expressions that no exported sample carries."""
    return metric_names(expressions) - exported_samples().keys()


def alert_rules() -> list[dict[str, Any]]:
    document = load_one(DEPLOY / "prometheus" / "alerts.yml")
    return [rule for group in document["groups"] for rule in group["rules"]]


def dashboard() -> dict[str, Any]:
    path = DEPLOY / "grafana" / "dashboards" / "bonded.json"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def panels(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every panel, rows' nested panels included."""
    for panel in items:
        yield panel
        yield from panels(panel.get("panels", []))


def dashboard_expressions() -> list[str]:
    return [
        target["expr"]
        for panel in panels(dashboard()["panels"])
        for target in panel.get("targets", [])
    ]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = load_one(DEPLOY / "docker-compose.yml")
    return loaded


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A compose service's environment, from either the map or the list form."""
    env = service.get("environment", {})
    if isinstance(env, list):
        return dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def k8s_documents() -> dict[str, list[Any]]:
    return {
        path.name: load_yaml(path)
        for path in sorted((DEPLOY / "k8s").glob("*.yaml"))
        if path.name != "kustomization.yaml"
    }


def k8s_object(kind: str, name: str) -> dict[str, Any]:
    for documents in k8s_documents().values():
        for document in documents:
            if document["kind"] == kind and document["metadata"]["name"] == name:
                found: dict[str, Any] = document
                return found
    raise AssertionError(f"no {kind} {name} in deploy/k8s")


# --- files parse ------------------------------------------------------------------


def test_every_yaml_file_parses() -> None:
    files = yaml_files()
    assert len(files) >= 10, files
    for path in files:
        documents = load_yaml(path)
        assert documents, path
        assert all(isinstance(doc, dict) for doc in documents), path


def test_every_json_file_parses() -> None:
    files = sorted(DEPLOY.rglob("*.json"))
    assert files
    for path in files:
        assert isinstance(json.loads(path.read_text(encoding="utf-8")), dict), path


# --- the image --------------------------------------------------------------------


def test_the_image_installs_every_package_and_runs_bonded_unprivileged() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.M)
    assert re.search(r"^RUN pip install \.", dockerfile, re.M)
    assert re.search(r'^ENTRYPOINT \["bonded"\]', dockerfile, re.M)
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users, "the image runs as root"
    assert users[-1] not in {"root", "0"}
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    for pattern in packages:
        package = pattern.rstrip("*")
        assert re.search(rf"^COPY {package} ", dockerfile, re.M), package


# --- compose ----------------------------------------------------------------------


def test_compose_has_every_service_and_no_version_key() -> None:
    spec = compose()
    assert "version" not in spec
    assert {
        "kafka",
        "postgres",
        "gateway",
        "worker-1",
        "worker-2",
        "prometheus",
        "grafana",
    } <= spec["services"].keys()


def test_compose_kafka_runs_in_kraft_mode() -> None:
    kafka = compose()["services"]["kafka"]
    env = environment(kafka)
    assert kafka["image"] == "apache/kafka:3.8.0"
    roles = {role.strip() for role in env["KAFKA_PROCESS_ROLES"].split(",")}
    assert roles == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(f"{env['KAFKA_NODE_ID']}@")
    assert "CONTROLLER" in env["KAFKA_CONTROLLER_LISTENER_NAMES"]
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    assert "healthcheck" in kafka


def test_compose_bonded_services_reach_postgres_and_kafka() -> None:
    services = compose()["services"]
    assert "pg_isready" in str(services["postgres"]["healthcheck"]["test"])
    for name in BONDED_SERVICES:
        service = services[name]
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
        env = environment(service)
        assert env["BONDED_DATABASE_URL"] == (
            "postgresql://bonded:bonded@postgres:5432/bonded"
        )
        assert env["BONDED_KAFKA_BOOTSTRAP"] == "kafka:9092"
        assert env["BONDED_LOG_FORMAT"] == "json"
        for dependency in ("postgres", "kafka"):
            assert service["depends_on"][dependency] == {"condition": "service_healthy"}
    assert services["gateway"]["command"][0] == "gateway"
    for worker in ("worker-1", "worker-2"):
        assert services[worker]["command"] == ["worker"]
        assert environment(services[worker])["BONDED_METRICS_PORT"] == "9100"


def test_every_bonded_variable_names_a_setting() -> None:
    """A misspelt BONDED_ variable would be ignored silently by the settings."""
    fields = Settings.model_fields.keys()
    services = compose()["services"].values()
    variables = {key for service in services for key in environment(service)}
    variables |= set(k8s_object("ConfigMap", "bonded-settings")["data"])
    variables |= set(k8s_object("Secret", "bonded-database")["stringData"])
    worker = k8s_object("Deployment", "bonded-worker")
    for container in worker["spec"]["template"]["spec"]["containers"]:
        variables |= {item["name"] for item in container.get("env", [])}
    bonded_variables = {key for key in variables if key.startswith("BONDED_")}
    assert "BONDED_DATABASE_URL" in bonded_variables
    for key in bonded_variables:
        assert key.removeprefix("BONDED_").lower() in fields, key


# --- prometheus and grafana -------------------------------------------------------


def test_prometheus_scrapes_the_gateway_and_both_workers() -> None:
    config = load_one(DEPLOY / "prometheus" / "prometheus.yml")
    assert config["rule_files"] == ["alerts.yml"]
    targets = {
        target
        for job in config["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    assert {"gateway:8000", "worker-1:9100", "worker-2:9100"} <= targets
    mounts = " ".join(compose()["services"]["prometheus"]["volumes"])
    assert "./prometheus/prometheus.yml:" in mounts
    assert "./prometheus/alerts.yml:" in mounts


def test_alert_rules_are_complete() -> None:
    rules = alert_rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    assert set(names) >= EXPECTED_ALERTS
    for rule in rules:
        assert isinstance(rule["expr"], str) and rule["expr"].strip(), rule["alert"]
        assert re.fullmatch(r"\d+[smh]", rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"].strip(), rule["alert"]
        assert rule["annotations"]["description"].strip(), rule["alert"]
    by_name = {rule["alert"]: rule for rule in rules}
    assert by_name["BondedRelayLagHigh"]["for"] == "5m"
    assert by_name["BondedConsumerLagHigh"]["for"] == "5m"
    assert "[15m]" in by_name["BondedPostingRefused"]["expr"]
    assert 'outcome="failed"' in by_name["BondedCommandsFailing"]["expr"]
    assert "up{" in by_name["BondedWorkerDown"]["expr"]


def test_alerts_name_only_scraped_jobs() -> None:
    config = load_one(DEPLOY / "prometheus" / "prometheus.yml")
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    expressions = [rule["expr"] for rule in alert_rules()]
    named = {job for expr in expressions for job in re.findall(r'job="([^"]+)"', expr)}
    assert named
    assert named <= jobs


def test_dashboard_panels_query_the_provisioned_prometheus() -> None:
    board = dashboard()
    assert 36 <= board["schemaVersion"] <= 41
    ids = [panel["id"] for panel in panels(board["panels"])]
    assert len(ids) == len(set(ids))
    shown = [panel for panel in panels(board["panels"]) if panel["type"] != "row"]
    assert shown
    for panel in shown:
        assert panel["type"] in {"timeseries", "stat"}, panel["title"]
        assert panel["datasource"]["uid"] == "prometheus", panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["expr"].strip(), panel["title"]
    provisioning = DEPLOY / "grafana" / "provisioning"
    datasources = load_one(provisioning / "datasources" / "prometheus.yml")
    [source] = datasources["datasources"]
    assert source["uid"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"
    providers = load_one(provisioning / "dashboards" / "bonded.yml")
    [provider] = providers["providers"]
    mounts = compose()["services"]["grafana"]["volumes"]
    assert f"./grafana/dashboards:{provider['options']['path']}:ro" in mounts


def test_dashboard_shows_command_latency_quantiles_from_the_histogram() -> None:
    expressions = dashboard_expressions()
    for quantile in ("0.5", "0.99"):
        assert any(
            expr.startswith(f"histogram_quantile({quantile},")
            and "bonded_command_duration_seconds_bucket[" in expr
            and "by (le)" in expr
            for expr in expressions
        ), quantile


# --- metrics ----------------------------------------------------------------------


def test_the_metric_modules_define_metrics_and_export_them() -> None:
    defined = defined_families(METRIC_MODULES)
    assert "bonded_commands" in defined
    assert "bonded_command_duration_seconds" in defined
    assert "bonded_relay_lag_events" in defined
    assert defined <= set(exported_samples().values())


@pytest.mark.parametrize("source", ["alerts", "dashboard"])
def test_every_metric_in_a_query_is_exported(source: str) -> None:
    if source == "alerts":
        expressions = [rule["expr"] for rule in alert_rules()]
    else:
        expressions = dashboard_expressions()
    assert metric_names(expressions)
    assert unknown_metrics(expressions) == set()


def test_the_dashboard_shows_every_metric_the_code_defines() -> None:
    exported = exported_samples()
    used = metric_names(dashboard_expressions())
    shown = {exported[name] for name in used if name in exported}
    assert defined_families(METRIC_MODULES) - shown == set()


def test_the_readme_lists_every_metric() -> None:
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    exported = exported_samples()
    listed = {exported.get(name, name) for name in METRIC_NAME.findall(readme)}
    assert defined_families(METRIC_MODULES) - listed == set()


@pytest.mark.parametrize(
    ("expr", "wrong"),
    [
        ("rate(bonded_comands_total[5m])", "bonded_comands_total"),
        ("bonded_commands", "bonded_commands"),
        ("rate(bonded_postings_total_bucket[5m])", "bonded_postings_total_bucket"),
        ("bonded_relay_lag_events_count", "bonded_relay_lag_events_count"),
        ("bonded_command_duration_seconds", "bonded_command_duration_seconds"),
    ],
)
def test_a_wrong_metric_name_is_caught(expr: str, wrong: str) -> None:
    """The check above can fail: misspelt names and wrong suffixes are reported."""
    assert unknown_metrics([f"sum({expr})", "bonded_relay_lag_events"]) == {wrong}


# --- kubernetes -------------------------------------------------------------------


def test_k8s_manifests_are_objects_listed_in_the_kustomization() -> None:
    manifests = k8s_documents()
    for name, documents in manifests.items():
        for document in documents:
            assert document["apiVersion"], name
            assert document["kind"], name
            assert document["metadata"]["name"], name
    kustomization = load_one(DEPLOY / "k8s" / "kustomization.yaml")
    assert kustomization["namespace"] == "bonded"
    assert sorted(kustomization["resources"]) == sorted(manifests)
    kinds = {doc["kind"] for documents in manifests.values() for doc in documents}
    assert {
        "Namespace",
        "ConfigMap",
        "Secret",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
    } <= kinds


def test_k8s_gateway_and_workers() -> None:
    gateway_deployment = k8s_object("Deployment", "bonded-gateway")
    assert gateway_deployment["spec"]["replicas"] == 2
    [api] = gateway_deployment["spec"]["template"]["spec"]["containers"]
    probe = api["readinessProbe"]["httpGet"]
    assert probe["path"].startswith("/metrics")
    assert probe["port"] in {8000, "http"}
    assert {"containerPort": 8000, "name": "http"} in api["ports"]

    workers = k8s_object("Deployment", "bonded-worker")
    assert workers["spec"]["replicas"] == 2
    template = workers["spec"]["template"]
    annotations = template["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == "9100"
    [worker] = template["spec"]["containers"]
    assert worker["args"] == ["worker"]
    assert {"containerPort": 9100, "name": "metrics"} in worker["ports"]

    budget = k8s_object("PodDisruptionBudget", "bonded-worker")
    assert budget["spec"]["selector"]["matchLabels"] == template["metadata"]["labels"]
    service = k8s_object("Service", "bonded-gateway")
    assert (
        service["spec"]["selector"]
        == gateway_deployment["spec"]["template"]["metadata"]["labels"]
    )
