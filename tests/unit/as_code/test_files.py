"""The automation files: deterministic YAML, and checks that name the file, the rule and the field path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from airflow_provider_zohocrm.as_code.files import (
    CONNECTED_WORKFLOWS_FILE,
    dump_yaml,
    read_files,
    write_file,
    write_rules,
    write_workflows,
)
from airflow_provider_zohocrm.as_code.normalize import live_rule, live_workflow
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

from .model import RULE_A, WORKFLOW, leads, raw_workflow


def exported(tmp_path: Path) -> Path:
    write_rules(str(tmp_path), "Leads", [live_rule(rule) for rule in leads()])
    write_workflows(str(tmp_path), [live_workflow(raw_workflow(WORKFLOW, "Lead Qualification", "Leads", "active"))])
    return tmp_path


def rules_doc(tmp_path: Path) -> dict[str, Any]:
    return yaml.safe_load((tmp_path / "workflow_rules" / "Leads.yaml").read_text())


def write_doc(tmp_path: Path, document: Any, name: str = "Leads") -> None:
    (tmp_path / "workflow_rules").mkdir(exist_ok=True)
    (tmp_path / "workflow_rules" / f"{name}.yaml").write_text(yaml.safe_dump(document))


def refusal(tmp_path: Path) -> ZohoCRMValidationError:
    with pytest.raises(ZohoCRMValidationError) as caught:
        read_files(str(tmp_path))
    return caught.value


def test_yaml_is_block_style_keeps_unicode_and_never_writes_aliases() -> None:
    shared = {"api_name": "Leads"}
    text = dump_yaml({"rules": [{"name": "Überweisung → 東京", "a": shared, "b": shared, "notes": "one\ntwo\n"}]})
    assert "&" not in text
    assert "*" not in text
    assert "Überweisung → 東京" in text
    assert "notes: |\n" in text
    assert "{" not in text  # block style only
    assert yaml.safe_load(text)["rules"][0]["b"] == shared


def test_a_long_line_is_never_folded() -> None:
    text = dump_yaml({"description": "word " * 200})
    assert text.count("\n") == 1


def test_writing_the_same_content_again_leaves_the_file_alone(tmp_path: Path) -> None:
    assert write_file(str(tmp_path), "workflow_rules/Leads.yaml", "rules: []\n")
    stat = (tmp_path / "workflow_rules" / "Leads.yaml").stat()
    assert not write_file(str(tmp_path), "workflow_rules/Leads.yaml", "rules: []\n")
    assert (tmp_path / "workflow_rules" / "Leads.yaml").stat().st_mtime_ns == stat.st_mtime_ns
    assert not list((tmp_path / "workflow_rules").glob(".*"))


def test_written_files_read_back_as_they_were_written(tmp_path: Path) -> None:
    files = read_files(str(exported(tmp_path)))
    assert files.modules == ["Leads"]
    assert [rule.rule for rule in files.rules["Leads"]] == [live_rule(rule) for rule in leads()]
    assert files.workflows is not None
    assert files.workflows[0].workflow == {
        "id": WORKFLOW,
        "name": "Lead Qualification",
        "primary_module": "Leads",
        "status": "active",
        "description": "About Lead Qualification",
    }


def test_an_unquoted_id_is_read_as_text(tmp_path: Path) -> None:
    document = rules_doc(exported(tmp_path))
    document["rules"][0]["id"] = int(RULE_A)
    write_doc(tmp_path, document)
    assert read_files(str(tmp_path)).rules["Leads"][0].id == RULE_A


@pytest.mark.parametrize(
    ("edit", "path", "words"),
    [
        (lambda r: r.update(name="Bad # name"), "rules[0].name", "must not contain"),
        (lambda r: r.pop("active"), "rules[0].active", "must be true or false"),
        (lambda r: r.update(active="yes please"), "rules[0].active", "must be true or false"),
        (lambda r: r.update(modified_time="2025-01-01"), "rules[0].modified_time", "stamped by Zoho"),
        (lambda r: r.update(status={"active": True}), "rules[0].status", "not a file key"),
        (lambda r: r.update(module={"api_name": "Leads"}), "rules[0].module", "read-only"),
        (lambda r: r.update(id="abc"), "rules[0].id", "must be a Zoho id"),
        (
            lambda r: r["conditions"][0]["scheduled_actions"][0]["execute_after"].update(period="fortnights"),
            "rules[0].conditions[0].scheduled_actions[0].execute_after.period",
            "must be one of",
        ),
        (lambda r: r["conditions"][0].update(sequence_number=2), "rules[0].conditions", "run 1..1"),
        (
            lambda r: r["conditions"][0].update(instant_actions=None, scheduled_actions=None),
            "rules[0].conditions[0]",
            "has no action",
        ),
        (lambda r: r.update(conditions=[]), "rules[0].conditions", "at least one condition"),
        (lambda r: r.update(description=5), "rules[0].description", "must be text or null"),
    ],
)
def test_a_bad_rule_is_refused_naming_file_rule_and_field_path(
    tmp_path: Path, edit: Any, path: str, words: str
) -> None:
    document = rules_doc(exported(tmp_path))
    edit(document["rules"][0])
    write_doc(tmp_path, document)
    error = refusal(tmp_path)
    assert error.details["file"] == "workflow_rules/Leads.yaml"
    assert error.details["rule"] == "'Assign web leads' (rules[0])" or "name" in path
    assert error.json_path == path
    assert words in error.message
    assert str(error).startswith("workflow_rules/Leads.yaml: rule ")


def test_a_rule_to_create_needs_its_trigger_and_conditions(tmp_path: Path) -> None:
    document = rules_doc(exported(tmp_path))
    document["rules"].append({"name": "New rule", "active": True})
    write_doc(tmp_path, document)
    error = refusal(tmp_path)
    assert error.json_path == "rules[3].execute_when"
    assert "required for a rule to create" in error.message


def test_an_id_given_twice_in_a_file_is_refused(tmp_path: Path) -> None:
    document = rules_doc(exported(tmp_path))
    document["rules"].append({**document["rules"][0], "name": "Copy"})
    write_doc(tmp_path, document)
    error = refusal(tmp_path)
    assert error.json_path == "rules[3].id"
    assert f"has the id {RULE_A} again" in error.message


def test_a_key_given_twice_in_a_mapping_is_refused_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "workflow_rules").mkdir()
    (tmp_path / "workflow_rules" / "Leads.yaml").write_text("rules:\n- name: A\n  name: B\n  active: true\n")
    error = refusal(tmp_path)
    assert error.details["file"] == "workflow_rules/Leads.yaml"
    assert "line 3" in error.message
    assert "given twice" in error.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("rules: [\n", "is not valid YAML at line"),
        ("- a\n- b\n", "with a list under 'rules'"),
        ("rules: []\nother: 1\n", "unknown top-level key(s) other"),
    ],
)
def test_a_file_that_is_not_a_rules_document_is_refused(tmp_path: Path, text: str, words: str) -> None:
    (tmp_path / "workflow_rules").mkdir()
    (tmp_path / "workflow_rules" / "Leads.yaml").write_text(text)
    error = refusal(tmp_path)
    assert error.details["file"] == "workflow_rules/Leads.yaml"
    assert words in error.message


def test_an_empty_file_is_a_module_without_rules(tmp_path: Path) -> None:
    (tmp_path / "workflow_rules").mkdir()
    (tmp_path / "workflow_rules" / "Deals.yaml").write_text("")
    assert read_files(str(tmp_path)).rules == {"Deals": []}


def test_a_file_not_named_after_a_module_is_refused(tmp_path: Path) -> None:
    write_doc(tmp_path, {"rules": []}, name="My Leads")
    error = refusal(tmp_path)
    assert error.details["file"] == "workflow_rules/My Leads.yaml"
    assert "module API name" in error.message


def test_a_directory_without_files_is_refused(tmp_path: Path) -> None:
    error = refusal(tmp_path)
    assert "holds neither" in error.message
    missing = tmp_path / "missing"
    with pytest.raises(ZohoCRMValidationError, match="is not a directory"):
        read_files(str(missing))


def test_the_page_shape_of_criteria_beside_criteria_details_is_accepted(tmp_path: Path) -> None:
    document = rules_doc(exported(tmp_path))
    condition = document["rules"][0]["conditions"][0]
    condition["criteria"] = condition.pop("criteria_details")["criteria"]
    write_doc(tmp_path, document)
    assert "criteria" in read_files(str(tmp_path)).rules["Leads"][0].rule["conditions"][0]


@pytest.mark.parametrize(
    ("workflow", "path", "words"),
    [
        ({"name": "X", "primary_module": "Leads", "status": "paused"}, "connected_workflows[1].status", "one of"),
        ({"name": "X", "primary_module": "Leads", "status": "active", "owner": 1}, "connected_workflows[1]", "owner"),
        ({"name": "x#y", "primary_module": "Leads", "status": "active"}, "connected_workflows[1].name", "characters"),
        ({"name": "X", "primary_module": "Le ads", "status": "active"}, "connected_workflows[1].primary_module", "API"),
        (
            {"name": "LEAD QUALIFICATION", "primary_module": "Leads", "status": "active"},
            "connected_workflows[1].name",
            "again",
        ),
    ],
)
def test_a_bad_connected_workflow_is_refused_naming_it(
    tmp_path: Path, workflow: dict[str, Any], path: str, words: str
) -> None:
    exported(tmp_path)
    document = yaml.safe_load((tmp_path / CONNECTED_WORKFLOWS_FILE).read_text())
    document["connected_workflows"].append(workflow)
    (tmp_path / CONNECTED_WORKFLOWS_FILE).write_text(yaml.safe_dump(document))
    error = refusal(tmp_path)
    assert error.details["file"] == CONNECTED_WORKFLOWS_FILE
    assert error.json_path == path
    assert words in error.message
