"""Provider metadata, the connection form, Airflow's CLI view of the provider, and import weight."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from airflow_provider_zohocrm import __version__, connection, data_centers
from airflow_provider_zohocrm.connection import EXTRAS
from airflow_provider_zohocrm.connection_form import CONN_FIELDS, ui_field_behaviour
from airflow_provider_zohocrm.get_provider_info import get_provider_info
from airflow_provider_zohocrm.hooks import ZohoCRMHook

AIRFLOW_CLI = Path(sys.executable).with_name("airflow")
HAS_WTFORMS = importlib.util.find_spec("wtforms") is not None


@pytest.fixture(scope="module")
def info():
    return get_provider_info()


@pytest.fixture(scope="module")
def conn_type(info):
    (entry,) = info["connection-types"]
    return entry


REQUIRED_KEYS = {"package-name", "name", "description", "versions", "integrations", "hooks", "connection-types"}
MODULE_KEYS = ("hooks", "operators", "sensors", "triggers")


def test_top_level_keys(info):
    assert set(info) >= REQUIRED_KEYS
    assert set(info) - REQUIRED_KEYS <= set(MODULE_KEYS), "unexpected provider-info keys"
    assert info["package-name"] == "airflow-provider-zohocrm"
    assert info["versions"] == [__version__]
    assert info["integrations"][0]["integration-name"] == "Zoho CRM"


def test_listed_modules_import_and_name_a_known_integration(info):
    integrations = {entry["integration-name"] for entry in info["integrations"]}
    for key in MODULE_KEYS:
        for entry in info.get(key, []):
            assert entry["integration-name"] in integrations
            for module in entry["python-modules"]:
                importlib.import_module(module)


def test_hook_class_resolves(conn_type):
    module_name, _, class_name = conn_type["hook-class-name"].rpartition(".")
    assert getattr(importlib.import_module(module_name), class_name) is ZohoCRMHook
    assert conn_type["connection-type"] == "zoho_crm" == ZohoCRMHook.conn_type
    assert conn_type["hook-name"] == ZohoCRMHook.hook_name


def _required_in_the_ui(field: dict) -> bool:
    """Airflow >= 3.2's UI rule (its ``isRequired``): a schema type that does not admit null."""
    kind = field["schema"].get("type")
    return bool(kind) and (not isinstance(kind, list) or "null" not in kind)


def test_conn_fields_are_the_extra_fields(conn_type):
    assert tuple(conn_type["conn-fields"]) == connection.EXTRA_FIELDS
    for key, field in conn_type["conn-fields"].items():
        assert field["label"], key


def test_only_the_refresh_token_is_required(conn_type):
    fields = conn_type["conn-fields"]
    assert {key for key, field in fields.items() if _required_in_the_ui(field)} == {"refresh_token"}
    assert fields["refresh_token"]["schema"] == {"type": "string", "format": "password"}
    assert fields["refresh_token"]["label"] == "Refresh Token (required)"
    assert {field.key for field in EXTRAS if field.required} == {"refresh_token"}


def test_conn_field_choices_match_the_parser(conn_type):
    fields = conn_type["conn-fields"]
    assert fields["data_center"]["schema"]["enum"] == list(data_centers.DATA_CENTERS)
    assert fields["environment"]["schema"]["enum"] == list(data_centers.ENVIRONMENTS)
    assert fields["api_version"]["schema"]["enum"] == list(connection.API_VERSIONS)
    assert fields["auth_cache"]["schema"]["enum"] == list(connection.AUTH_CACHES)
    assert fields["refresh_token"]["schema"]["format"] == "password"
    assert fields["timeout"]["schema"]["default"] == connection.DEFAULT_TIMEOUT
    assert fields["max_attempts"]["schema"]["default"] == connection.DEFAULT_MAX_ATTEMPTS
    assert fields["max_retry_seconds"]["schema"]["default"] == connection.DEFAULT_MAX_RETRY_SECONDS


def test_conn_fields_follow_the_extras_table(conn_type):
    numeric = {"positive_float": "number", "positive_int": "integer"}
    for field in EXTRAS:
        form = conn_type["conn-fields"][field.key]
        label = f"{field.label} (required)" if field.required else field.label
        assert (form["label"], form["description"]) == (label, field.description)
        schema = form["schema"]
        assert schema.get("default") == field.default, field.key
        assert schema.get("enum", []) == list(field.choices), field.key
        kind = numeric.get(field.kind, "string")
        assert schema["type"] == (kind if field.required else [kind, "null"]), field.key
        if field.kind in numeric:
            assert schema["minimum"] == 1


def test_integral_number_defaults_read_as_written(conn_type):
    # 30, not 30.0: the metadata is the form a user sees.
    assert repr(conn_type["conn-fields"]["timeout"]["schema"]["default"]) == "30"
    assert repr(conn_type["conn-fields"]["max_retry_seconds"]["schema"]["default"]) == "300"


def test_choice_placeholders_name_the_default():
    placeholders = ui_field_behaviour()["placeholders"]
    for field in EXTRAS:
        if field.kind == "choice":
            assert placeholders[field.key] == field.default


def test_ui_field_behaviour_in_metadata_spelling(conn_type):
    behaviour = conn_type["ui-field-behaviour"]
    assert set(behaviour) == {"hidden-fields", "relabeling", "placeholders"}
    assert behaviour["relabeling"] == {"login": "Client ID", "password": "Client Secret"}
    assert "extra" in behaviour["hidden-fields"]
    assert "login" not in behaviour["hidden-fields"]
    assert "password" not in behaviour["hidden-fields"]


@pytest.mark.skipif(not HAS_WTFORMS, reason="wtforms is only installed with the Airflow 2 web UI")
def test_form_widgets_match_conn_fields(conn_type):
    widgets = ZohoCRMHook.get_connection_form_widgets()
    assert set(widgets) == set(conn_type["conn-fields"])
    # Unbound wtforms fields: the form class binds them.
    assert widgets["refresh_token"].field_class.__name__ == "PasswordField"
    assert widgets["data_center"].field_class.__name__ == "StringField"
    assert widgets["timeout"].field_class.__name__ == "IntegerField"
    assert widgets["accounts_url"].field_class.__name__ == "StringField"
    for field in EXTRAS:
        # No required validator (Airflow 2 shares one form among all connection types): the label says it.
        assert not any("Required" in type(v).__name__ for v in widgets[field.key].kwargs.get("validators", []))
        label = str(widgets[field.key].args[0])
        assert label == (f"{field.label} (required)" if field.required else field.label), field.key
        description = widgets[field.key].kwargs["description"]
        assert description.startswith(field.description), field.key
        if field.choices:
            assert description.endswith(f"One of: {', '.join(field.choices)}."), field.key
            assert widgets[field.key].kwargs["default"] == field.default


@pytest.mark.skipif(HAS_WTFORMS, reason="covered by test_form_widgets_match_conn_fields")
def test_form_widgets_empty_without_wtforms(conn_type):
    assert ZohoCRMHook.get_connection_form_widgets() == {}
    assert tuple(conn_type["conn-fields"]) == connection.EXTRA_FIELDS


def test_provider_info_is_a_fresh_copy():
    first = get_provider_info()
    first["connection-types"][0]["ui-field-behaviour"]["relabeling"]["login"] = "mutated"
    first["connection-types"][0]["conn-fields"]["timeout"]["schema"]["default"] = 1
    second = get_provider_info()["connection-types"][0]
    assert second["ui-field-behaviour"]["relabeling"]["login"] == "Client ID"
    assert second["conn-fields"]["timeout"]["schema"]["default"] == 30
    assert CONN_FIELDS["refresh_token"]["label"] == "Refresh Token (required)"
    assert CONN_FIELDS["timeout"]["schema"]["default"] == 30


# --- subprocesses --------------------------------------------------------------------------------


def _airflow_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CONN_")}
    env.update(AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False")
    return env


@pytest.fixture(scope="module")
def airflow_cli(tmp_path_factory):
    """``airflow providers list`` and ``airflow providers hooks``, run side by side."""
    assert AIRFLOW_CLI.exists(), AIRFLOW_CLI
    commands = {"list": ["providers", "list"], "hooks": ["providers", "hooks"]}
    running = {}
    for name, args in commands.items():
        home = tmp_path_factory.mktemp(f"airflow-home-{name}")
        running[name] = subprocess.Popen(
            [str(AIRFLOW_CLI), *args],
            env=_airflow_env(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    outputs = {}
    try:
        for name, process in running.items():
            stdout, stderr = process.communicate(timeout=120)
            outputs[name] = (process.returncode, stdout, stderr)
    finally:
        for process in running.values():
            if process.poll() is None:
                process.kill()
                process.communicate()
    return outputs


def test_airflow_providers_list_shows_the_package(airflow_cli):
    code, stdout, stderr = airflow_cli["list"]
    assert code == 0, stderr
    assert "airflow-provider-zohocrm" in stdout
    assert __version__ in next(line for line in stdout.splitlines() if "airflow-provider-zohocrm" in line)


def test_airflow_providers_hooks_shows_the_connection_type(airflow_cli):
    code, stdout, stderr = airflow_cli["hooks"]
    assert code == 0, stderr
    (line,) = [line for line in stdout.splitlines() if line.startswith("zoho_crm ")]
    assert "airflow_provider_zohocrm.hooks.zoho_crm.ZohoCRMHook" in line
    assert "zoho_crm_conn_id" in line


IMPORT_CHECK = """
import sys
try:
    import airflow.sdk  # Airflow 3
except ImportError:
    import airflow.hooks.base  # Airflow 2
watched = ("requests", "tenacity", "airflow_provider_zohocrm.transport")
before = {name: name in sys.modules for name in watched}
import airflow_provider_zohocrm.hooks
after = {name: name in sys.modules for name in watched}
print(repr((before, after)))
"""


def test_importing_the_hooks_loads_no_http_stack(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_CHECK],
        env=_airflow_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    before, after = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    for name in ("requests", "tenacity"):
        if not before[name]:  # Airflow 2 already imports both; Airflow 3's SDK imports tenacity
            assert not after[name], f"importing the hooks imported {name}"
    # The transport is what pulls in requests; on Airflow 2 this is the check that can still fail.
    assert not after["airflow_provider_zohocrm.transport"], "importing the hooks imported the transport"
