"""The automation files: their layout, deterministic YAML, and the checks that name file, rule and field.

Layout of a directory (local; :mod:`.locations` copies one from or to object storage)::

    workflow_rules/<Module>.yaml    rules: [...]                 one module's rules, in execution order
    connected_workflows.yaml        connected_workflows: [...]   id, name, primary_module, status, description

A rule is ``id`` (absent: a rule to create), ``name``, ``active`` and its definition as Zoho's API
shapes it (``description``, ``execute_when``, ``conditions``, ``lock``, other keys kept). The files
are written so that the same state always gives the same bytes (see :func:`dump_yaml`), and read
back strictly: a bad file is a ``ZohoCRMValidationError`` naming the file, the rule and the field
path (``details``: ``file``, ``rule``, ``json_path``) before any request is sent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from airflow_provider_zohocrm.api.connected_workflows import STATUSES
from airflow_provider_zohocrm.api.connected_workflows_validation import (
    validate_description,
    validate_name,
    validate_primary_module,
)
from airflow_provider_zohocrm.api.workflow_rules_validation import check_name, validate_rule_update
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.validation import check_depth, check_json_value, is_id, preview, validate_module

RULES_DIR = "workflow_rules"
CONNECTED_WORKFLOWS_FILE = "connected_workflows.yaml"
SUFFIX = ".yaml"
MAX_FILE_BYTES = 64 * 1024 * 1024  # far above the definitions of an org's 2,500 rules
RULES_HEADER = "# Workflow rules of {module}, in execution order (the first runs first).\n"
WORKFLOWS_HEADER = "# Connected workflows.\n"

# Zoho stamps these on every write or run: never in a file, so an export diffs only on real changes.
VOLATILE_KEYS = frozenset({"created_time", "modified_time", "created_by", "modified_by", "last_executed_time"})
# Zoho decides these (the module is the file's; ``status.active`` is ``active``): not managed in files.
READ_ONLY_KEYS = frozenset(
    {"module", "status", "editable", "deletable", "source", "deprecated", "category", "module_specific_sequence"}
)
# The definition keys Update Workflow Rule takes (``id``/``active`` are handled apart).
DEFINITION_KEYS = ("name", "description", "execute_when", "conditions", "lock")
WORKFLOW_KEYS = ("id", "name", "primary_module", "status", "description")


@dataclass(frozen=True)
class FileRule:
    """One rule of a module's file: where it is (for messages) and its content as read."""

    module: str
    index: int
    rule: dict[str, Any]

    @property
    def file(self) -> str:
        return rules_file(self.module)

    @property
    def label(self) -> str:
        """``'Name' (rules[3])``: how messages name the rule."""
        return f"{self.rule.get('name')!r} (rules[{self.index}])"

    @property
    def id(self) -> str | None:
        return self.rule.get("id")

    @property
    def name(self) -> str:
        return str(self.rule["name"])


@dataclass(frozen=True)
class FileWorkflow:
    index: int
    workflow: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.workflow.get('name')!r} (connected_workflows[{self.index}])"


@dataclass
class AutomationFiles:
    """What a directory holds: each module's rules in order, and the connected workflows (``None``: no file)."""

    directory: str
    rules: dict[str, list[FileRule]] = field(default_factory=dict)
    workflows: list[FileWorkflow] | None = None

    @property
    def modules(self) -> list[str]:
        return list(self.rules)


def rules_file(module: str) -> str:
    """The path of a module's file, relative to the directory (also how messages name it)."""
    return f"{RULES_DIR}/{module}{SUFFIX}"


def file_error(
    file: str, problem: str, *, rule: str | None = None, path: str | None = None, hint: str | None = None
) -> ZohoCRMValidationError:
    """The typed error for a problem in ``file`` (and its ``rule``, at the field ``path``)."""
    where = f"{file}: rule {rule}" if rule else file
    text = f"{where}: {problem}"  # the path follows as "(at ...)", see ZohoCRMError
    return ZohoCRMValidationError(
        text, details={"file": file, "rule": rule, "json_path": path}, hint=hint or "Fix the file and run again"
    )


def rule_error(rule: FileRule, problem: str, key: str = "", hint: str | None = None) -> ZohoCRMValidationError:
    """The typed error for a problem in ``rule`` of a module's file, at its ``key`` (the whole rule if none)."""
    path = f"rules[{rule.index}].{key}" if key else f"rules[{rule.index}]"
    return file_error(rule.file, problem, rule=rule.label, path=path, hint=hint)


# --- writing --------------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Safe YAML without anchors and aliases: a value repeated in the data is written out each time."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # Text of several lines as a literal block, so a git diff shows the line that changed.
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _text)


def dump_yaml(document: Any, header: str = "") -> str:
    """``document`` as block-style YAML: keys in the given order, unicode kept, no aliases, no line folding."""
    body = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
        indent=2,
    )
    return header + body


def write_file(directory: str, relative: str, text: str) -> bool:
    """Write ``text`` (UTF-8, LF) to ``directory/relative``; False when the file already held exactly it."""
    path = Path(directory).expanduser().joinpath(*relative.split("/"))
    data = text.encode("utf-8")
    try:
        if path.is_file() and path.read_bytes() == data:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as exc:
        raise file_error(relative, f"could not be written: {type(exc).__name__}: {exc.strerror or exc}") from None
    return True


def write_rules(directory: str, module: str, rules: list[dict[str, Any]]) -> str:
    """Write a module's file; returns its relative path."""
    relative = rules_file(module)
    write_file(directory, relative, dump_yaml({"rules": rules}, RULES_HEADER.format(module=module)))
    return relative


def write_workflows(directory: str, workflows: list[dict[str, Any]]) -> str:
    write_file(directory, CONNECTED_WORKFLOWS_FILE, dump_yaml({"connected_workflows": workflows}, WORKFLOWS_HEADER))
    return CONNECTED_WORKFLOWS_FILE


# --- reading --------------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML that refuses a key given twice in one mapping (PyYAML would keep the last silently)."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            repeated = key in seen
            seen.add(key)
        except TypeError:  # an unhashable key: the constructor below reports it
            continue
        if repeated:
            raise yaml.constructor.ConstructorError(None, None, f"the key {key!r} is given twice", key_node.start_mark)
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load_yaml(directory: str, relative: str) -> Any:
    """The parsed content of one file; unreadable or invalid YAML is an error naming the file and line."""
    path = Path(directory).expanduser().joinpath(*relative.split("/"))
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise file_error(relative, f"could not be read: {type(exc).__name__}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise file_error(relative, f"is larger than {MAX_FILE_BYTES // 2**20} MB")
    try:
        text = data.decode("utf-8")
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except UnicodeDecodeError:
        raise file_error(relative, "is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise file_error(relative, f"is not valid YAML{line}: {problem}") from None
    except RecursionError:
        raise file_error(relative, "is nested too deeply") from None


def read_files(directory: str) -> AutomationFiles:
    """Every file of the layout under ``directory``, checked; at least one must be there."""
    root = Path(directory).expanduser()
    if not root.is_dir():
        raise ZohoCRMValidationError(
            f"directory {directory!r} is not a directory",
            details={"json_path": "directory"},
            hint="Pass the directory an export wrote (it holds workflow_rules/ and connected_workflows.yaml)",
        )
    files = AutomationFiles(directory=directory)
    rules_dir = root / RULES_DIR
    names = sorted(p.name for p in rules_dir.iterdir() if p.name.endswith(SUFFIX)) if rules_dir.is_dir() else []
    for name in names:
        module = name[: -len(SUFFIX)]
        relative = f"{RULES_DIR}/{name}"
        try:
            validate_module(module, "module")
        except ZohoCRMValidationError:
            raise file_error(
                relative,
                f"is not named after a module API name ({preview(module)})",
                hint="Name each file <Module API name>.yaml, e.g. workflow_rules/Leads.yaml",
            ) from None
        files.rules[module] = check_rules_document(load_yaml(directory, relative), module)
    if (root / CONNECTED_WORKFLOWS_FILE).is_file():
        files.workflows = check_workflows_document(load_yaml(directory, CONNECTED_WORKFLOWS_FILE))
    if not files.rules and files.workflows is None:
        raise ZohoCRMValidationError(
            f"directory {directory!r} holds neither {RULES_DIR}/*{SUFFIX} nor {CONNECTED_WORKFLOWS_FILE}",
            details={"json_path": "directory"},
            hint="Pass the directory an export wrote, or run an export into it first",
        )
    return files


# --- checks ---------------------------------------------------------------------------------------------


def check_rules_document(document: Any, module: str) -> list[FileRule]:
    """The rules of a module's file, each checked; ids and names unique within the file."""
    file = rules_file(module)
    if document is None:
        document = {"rules": []}
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise file_error(file, "must be a mapping with a list under 'rules'", hint="Start the file with 'rules:'")
    unknown = sorted(map(str, set(document) - {"rules"}))
    if unknown:
        raise file_error(file, f"has the unknown top-level key(s) {', '.join(unknown)}", hint="Keep only 'rules:'")
    rules = [FileRule(module, index, check_rule(item, module, index)) for index, item in enumerate(document["rules"])]
    ids: dict[str, FileRule] = {}
    for rule in rules:
        if rule.id is not None:
            if rule.id in ids:
                raise rule_error(
                    rule,
                    f"has the id {rule.id} again (also {ids[rule.id].label})",
                    "id",
                    "Each rule appears once; remove the copy or drop its id to create a new rule",
                )
            ids[rule.id] = rule
    return rules


def check_rule(item: Any, module: str, index: int) -> dict[str, Any]:
    """One rule of a file, checked as Update Workflow Rule would check it; ``id`` becomes text."""
    file = rules_file(module)
    at = f"rules[{index}]"
    if not isinstance(item, dict):
        raise file_error(file, f"must be a mapping; got {preview(item)}", path=at, hint="Each rule is a mapping")
    label = f"{item.get('name')!r} ({at})"
    rule = dict(item)

    def problem(path: str, text: str, hint: str) -> ZohoCRMValidationError:
        return file_error(file, text, rule=label, path=f"{at}.{path}" if path else at, hint=hint)

    for key in rule:
        if not isinstance(key, str):
            raise problem("", f"has the key {preview(key)}, which is not text", "Keys are names such as name, active")
        if key in VOLATILE_KEYS:
            raise problem(key, "is stamped by Zoho and cannot be managed", f"Remove {key}: exports leave it out")
        if key == "status":
            raise problem(key, "is not a file key", "Use 'active: true' or 'active: false'")
        if key in READ_ONLY_KEYS:
            hint = "The file's name names the module" if key == "module" else f"Remove {key}: Zoho decides it"
            raise problem(key, "is read-only in Zoho and cannot be managed", hint)
    if "id" in rule and rule["id"] is not None:
        if not is_id(rule["id"]):
            raise problem("id", f"must be a Zoho id (digits); got {preview(rule['id'])}", "Quote it: id: '4876...'")
        rule["id"] = str(rule["id"])
    else:
        rule.pop("id", None)
    if "name" not in rule:
        raise problem("name", "is required", "Give every rule its name")
    try:
        check_name(rule["name"], f"{at}.name")
    except ZohoCRMValidationError as exc:
        raise _wrapped(file, label, exc) from None
    if not isinstance(rule.get("active"), bool):
        raise problem("active", f"must be true or false; got {preview(rule.get('active'))}", "Set active: true/false")
    try:
        check_depth(rule, at)
        check_json_value(rule, at)
        definition = {key: rule[key] for key in DEFINITION_KEYS if key in rule}
        validate_rule_update(definition, None, param=at)
    except ZohoCRMValidationError as exc:
        raise _wrapped(file, label, exc) from None
    if "id" not in rule:
        for key in ("execute_when", "conditions"):
            if rule.get(key) is None:
                raise problem(key, "is required for a rule to create (it has no id)", f"Give the rule's {key}")
    if "conditions" in rule:
        _check_conditions(rule["conditions"], problem)
    return rule


def _check_conditions(conditions: list[Any], problem: Any) -> None:
    """At least one condition, numbered 1..n (the Update Workflow Rule page), each with an action."""
    if not conditions:
        raise problem("conditions", "must hold at least one condition", "Zoho needs one condition or more")
    numbers = sorted(c.get("sequence_number") for c in conditions if isinstance(c.get("sequence_number"), int))
    if numbers != list(range(1, len(conditions) + 1)):
        raise problem(
            "conditions",
            f"are numbered {numbers}; sequence_number must run 1..{len(conditions)} without gaps",
            "Number the conditions 1, 2, 3... in the order they are checked",
        )
    for index, condition in enumerate(conditions):
        instant = (condition.get("instant_actions") or {}).get("actions")
        if not instant and not condition.get("scheduled_actions"):
            raise problem(
                f"conditions[{index}]",
                "has no action: give instant_actions or scheduled_actions",
                "Zoho refuses a condition without actions",
            )


def check_workflows_document(document: Any) -> list[FileWorkflow]:
    """The connected workflows of ``connected_workflows.yaml``, each checked; ids and names unique."""
    file = CONNECTED_WORKFLOWS_FILE
    if document is None:
        document = {"connected_workflows": []}
    if not isinstance(document, dict) or not isinstance(document.get("connected_workflows"), list):
        raise file_error(
            file,
            "must be a mapping with a list under 'connected_workflows'",
            hint="Start the file with 'connected_workflows:'",
        )
    unknown = sorted(map(str, set(document) - {"connected_workflows"}))
    if unknown:
        raise file_error(file, f"has the unknown top-level key(s) {', '.join(unknown)}")
    workflows = [FileWorkflow(i, _check_workflow(item, i)) for i, item in enumerate(document["connected_workflows"])]
    seen: dict[str, FileWorkflow] = {}
    for workflow in workflows:
        for key in ("id", "name"):
            value = workflow.workflow.get(key)
            if value is None:
                continue
            token = f"{key}:{str(value).casefold()}"
            if token in seen:
                raise file_error(
                    file,
                    f"has the {key} {value!r} again (also {seen[token].label})",
                    rule=workflow.label,
                    path=f"connected_workflows[{workflow.index}].{key}",
                    hint="Each connected workflow appears once (Zoho's names are unique, case aside)",
                )
            seen[token] = workflow
    return workflows


def _check_workflow(item: Any, index: int) -> dict[str, Any]:
    file = CONNECTED_WORKFLOWS_FILE
    at = f"connected_workflows[{index}]"
    if not isinstance(item, dict):
        raise file_error(file, f"must be a mapping; got {preview(item)}", path=at)
    label = f"{item.get('name')!r} ({at})"
    unknown = sorted(map(str, set(item) - set(WORKFLOW_KEYS)))
    if unknown:
        raise file_error(
            file,
            f"has the unknown key(s) {', '.join(unknown)}",
            rule=label,
            path=at,
            hint=f"A connected workflow holds only {', '.join(WORKFLOW_KEYS)}",
        )
    workflow = dict(item)
    if workflow.get("id") is not None:
        if not is_id(workflow["id"]):
            raise file_error(
                file, f"must be a Zoho id (digits); got {preview(workflow['id'])}", rule=label, path=f"{at}.id"
            )
        workflow["id"] = str(workflow["id"])
    else:
        workflow.pop("id", None)
    if workflow.get("status") not in STATUSES:
        raise file_error(
            file,
            f"must be one of {', '.join(STATUSES)}; got {preview(workflow.get('status'))}",
            rule=label,
            path=f"{at}.status",
        )
    try:
        workflow["name"] = validate_name(workflow.get("name"))
        module = validate_primary_module(workflow.get("primary_module"))
        if "description" in workflow:
            workflow["description"] = validate_description(workflow["description"])
    except ZohoCRMValidationError as exc:
        path = f"{at}.{exc.json_path}" if exc.json_path else at
        raise file_error(file, exc.message, rule=label, path=path, hint=exc.hint) from None
    if "api_name" not in module:
        raise file_error(file, "must be a module API name", rule=label, path=f"{at}.primary_module")
    workflow["primary_module"] = module["api_name"]
    return workflow


def _wrapped(file: str, label: str, exc: ZohoCRMValidationError) -> ZohoCRMValidationError:
    """A check's error (its message starts with the JSON path) as a file error naming ``file`` and the rule."""
    path = exc.json_path
    message = exc.message
    if path and message.startswith(f"{path}: "):
        message = message[len(path) + 2 :]
    elif path and message.startswith(f"{path} "):
        message = message[len(path) + 1 :]
    return file_error(file, message, rule=label, path=path, hint=exc.hint)
