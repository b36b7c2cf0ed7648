"""``zohocrm-automation``: arguments, exit codes, output streams, confirmation and the connection.

The core's functions are replaced by fakes here (what the CLI does with their results is under
test); ``tests/integration/test_as_code_cli.py`` runs the installed console script against the emulator.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_zohocrm.as_code import cli
from airflow_provider_zohocrm.exceptions import ZohoCRMConnectionConfigError, ZohoCRMValidationError
from unit.helpers import CANARIES, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN

STEP = {
    "action": "set_rule_status",
    "module": "Leads",
    "id": "4876876000010880001",
    "name": "Assign web leads",
    "changes": [{"path": "active", "before": True, "after": False}],
    "request": None,
}
DIFFERENCE = {
    "kind": "workflow_rule",
    "module": "Leads",
    "id": "4876876000010880001",
    "name": "Assign web leads",
    "path": "conditions[0].scheduled_actions[0].execute_after.value",
    "expected": 2,
    "actual": 3,
}


class FakePlan:
    """What the CLI uses of ``as_code.Plan``."""

    def __init__(self, steps: list[dict[str, Any]] | None = None, fingerprint: str = "f1") -> None:
        self.steps = list(steps or [])
        self.fingerprint = fingerprint
        self.unmanaged: list[dict[str, Any]] = []
        self.modules = ["Leads"]
        self.directory = "automation"

    @property
    def has_changes(self) -> bool:
        return bool(self.steps)

    def modules_changed(self) -> list[str]:
        return sorted({s["module"] for s in self.steps if s.get("module")})

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": 1,
            "fingerprint": self.fingerprint,
            "steps": self.steps,
            "unmanaged": [],
            "modules": ["Leads"],
        }

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> FakePlan:
        if document.get("format") != 1:
            raise ZohoCRMValidationError("plan.format must be 1", details={"json_path": "format"})
        return cls(document["steps"], document["fingerprint"])

    def render(self) -> str:
        if not self.steps:
            return "No changes. Live Zoho equals the files."
        return "\n".join(f"~ {s['module']} {s['name']!r}: active True -> False" for s in self.steps)


class FakeResult:
    def __init__(self, plan: FakePlan, verified: bool = True) -> None:
        self.plan = plan
        self.verified = verified

    def to_dict(self) -> dict[str, Any]:
        return {
            "applied": [{**s, "outcome": "SUCCESS"} for s in self.plan.steps],
            "modules_changed": self.plan.modules_changed(),
            "verified": self.verified,
            "differences": [] if self.verified else [DIFFERENCE],
            "calls": len(self.plan.steps) + 2,
        }


class FakeCore:
    """Records the calls; answers with ``plan`` and ``differences``."""

    def __init__(self) -> None:
        self.plan = FakePlan([STEP])
        self.differences: list[dict[str, Any]] = []
        self.verified = True
        self.calls: list[tuple[str, Any]] = []
        self.error: Exception | None = None

    def _call(self, name: str, client: Any, argument: Any, progress: Any) -> None:
        self.calls.append((name, argument))
        progress(f"{name}: reading Leads")
        if self.error is not None:
            raise self.error

    def export_state(self, client: Any, modules: list[str], directory: str, *, progress: Any = None) -> dict[str, Any]:
        self._call("export", client, (modules, directory), progress)
        return {"modules": dict.fromkeys(modules, 2), "connected_workflows": 3, "files": ["a", "b"], "calls": 7}

    def make_plan(self, client: Any, directory: str, *, progress: Any = None) -> FakePlan:
        self._call("plan", client, directory, progress)
        return self.plan

    def apply_plan(self, client: Any, plan: FakePlan, *, progress: Any = None) -> FakeResult:
        self._call("apply", client, plan, progress)
        return FakeResult(plan, self.verified)

    def verify_state(self, client: Any, directory: str, *, progress: Any = None) -> list[dict[str, Any]]:
        self._call("verify", client, directory, progress)
        return self.differences

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


class FakeClient:
    closed = False

    def close(self) -> None:
        self.closed = True


@pytest.fixture(autouse=True)
def _cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # main() sets Airflow's log level with setdefault; this keeps the test process's environment as it was.
    monkeypatch.setenv("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO")


@pytest.fixture
def core(monkeypatch: pytest.MonkeyPatch) -> FakeCore:
    import airflow_provider_zohocrm.as_code as package

    fake = FakeCore()
    for name in ("export_state", "make_plan", "apply_plan", "verify_state"):
        monkeypatch.setattr(package, name, getattr(fake, name), raising=False)
    monkeypatch.setattr(package, "Plan", FakePlan, raising=False)
    return fake


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> FakeClient:
    made = FakeClient()
    monkeypatch.setattr(cli, "connect", lambda conn_id: made.__setattr__("conn_id", conn_id) or made)
    return made


@pytest.fixture
def files(tmp_path: Path) -> Path:
    directory = tmp_path / "automation"
    (directory / "workflow_rules").mkdir(parents=True)
    (directory / "workflow_rules" / "Leads.yaml").write_text("rules: []\n")
    return directory


def run(argv: list[str], capsys: pytest.CaptureFixture[str], stdin: io.StringIO | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        sys_stdin = sys.stdin
        sys.stdin = stdin
    try:
        code = cli.main(argv)
    finally:
        if stdin is not None:
            sys.stdin = sys_stdin
    out, err = capsys.readouterr()
    return code, out, err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


# --- parsing and help ------------------------------------------------------------------------------


def test_help_documents_commands_exit_codes_connection_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for expected in ("export", "plan", "apply", "verify", "exit codes:", "AIRFLOW_CONN_ZOHO_CRM_DEFAULT", "examples:"):
        assert expected in text


@pytest.mark.parametrize("command", ["export", "plan", "apply", "verify"])
def test_each_command_has_a_description_options_and_examples(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main([command, "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    assert cli.COMMANDS[command]["description"].splitlines()[0] in text
    assert "examples:" in text
    assert f"{cli.PROG} {command}" in text
    assert "exit codes:" in text
    assert "--conn-id" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "required: COMMAND"),
        (["plan"], "required: DIR"),
        (["deploy", "x"], "invalid choice"),
        (["export", "dir"], "required: --modules"),
        (["export", "--modules", "Leads,,Deals", "dir"], "separated by commas"),
        (["export", "--modules", " ", "dir"], "separated by commas"),
        (["plan", "dir", "--colour"], "unrecognized arguments"),
    ],
)
def test_usage_errors_exit_1_not_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == cli.EXIT_ERROR  # 2 means "changes" here, so argparse's 2 is not used
    err = capsys.readouterr().err
    assert message in err
    assert err.startswith("usage:")


def test_modules_split_on_commas_and_repeatable() -> None:
    args = cli.build_parser().parse_args(["export", "--modules", "Leads, Contacts", "--modules", "Deals", "out"])
    assert args.modules == ["Leads", "Contacts", "Deals"]
    assert args.directory == "out"


@pytest.mark.parametrize(
    ("argv", "conn_id"),
    [
        (["plan", "d"], "zoho_crm_default"),
        (["--conn-id", "zoho_crm_sandbox", "plan", "d"], "zoho_crm_sandbox"),
        (["plan", "d", "--conn-id", "zoho_crm_sandbox"], "zoho_crm_sandbox"),
        (["--conn-id", "a", "plan", "--conn-id", "b", "d"], "b"),
    ],
)
def test_conn_id_before_or_after_the_command(argv: list[str], conn_id: str) -> None:
    assert cli.build_parser().parse_args(argv).conn_id == conn_id


def test_importing_the_cli_imports_no_airflow_and_no_http_stack() -> None:
    script = textwrap.dedent(
        """
        import sys
        import airflow_provider_zohocrm.as_code.cli as cli
        cli.build_parser().parse_args(["plan", "d"])
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("airflow", "requests", "yaml")))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# --- plan ------------------------------------------------------------------------------------------


def test_plan_with_changes_exits_2_diff_on_stdout_progress_on_stderr(
    core: FakeCore, client: FakeClient, files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["plan", str(files)], capsys)
    assert code == cli.EXIT_DIFFERS
    assert out == "~ Leads 'Assign web leads': active True -> False\n"
    assert "zohocrm-automation: plan: reading Leads" in err
    assert core.calls == [("plan", str(files))]
    assert client.closed


def test_plan_without_changes_exits_0(core: FakeCore, client: FakeClient, files: Path, capsys: Any) -> None:
    core.plan = FakePlan([])
    code, out, _ = run(["plan", str(files)], capsys)
    assert code == cli.EXIT_OK
    assert "No changes" in out


def test_plan_json_is_the_only_stdout_and_quiet_silences_progress(
    core: FakeCore, client: FakeClient, files: Path, capsys: Any
) -> None:
    code, out, err = run(["plan", str(files), "--json", "--quiet"], capsys)
    assert code == cli.EXIT_DIFFERS
    assert json.loads(out) == core.plan.to_dict()
    assert err == ""


def test_plan_out_saves_the_plan_for_apply(
    core: FakeCore, client: FakeClient, files: Path, tmp_path: Path, capsys: Any
) -> None:
    saved = tmp_path / "plan.json"
    code, _, err = run(["plan", str(files), "--out", str(saved)], capsys)
    assert code == cli.EXIT_DIFFERS
    assert json.loads(saved.read_text()) == core.plan.to_dict()
    assert f"apply {saved}" in err


def test_plan_of_a_missing_directory_is_one_line_and_no_call(
    core: FakeCore, client: FakeClient, tmp_path: Path, capsys: Any
) -> None:
    code, out, err = run(["plan", str(tmp_path / "missing")], capsys)
    assert code == cli.EXIT_ERROR
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("zohocrm-automation: error: ")
    assert "missing' is not a directory (at DIR)" in err
    assert core.calls == []


def test_plan_out_to_an_unwritable_place_is_one_line(
    core: FakeCore, client: FakeClient, files: Path, tmp_path: Path, capsys: Any
) -> None:
    code, _, err = run(["plan", str(files), "--out", str(tmp_path / "no" / "such" / "plan.json")], capsys)
    assert code == cli.EXIT_ERROR
    assert err.splitlines()[-1].startswith("zohocrm-automation: error: ")
    assert "plan.json' could not be written: No such file or directory (at --out)" in err
    assert "Traceback" not in err


# --- verify ----------------------------------------------------------------------------------------


def test_verify_equal_exits_0(core: FakeCore, client: FakeClient, files: Path, capsys: Any) -> None:
    code, out, _ = run(["verify", str(files)], capsys)
    assert code == cli.EXIT_OK
    assert out.startswith("No differences")


def test_verify_lists_every_difference_and_exits_2(
    core: FakeCore, client: FakeClient, files: Path, capsys: Any
) -> None:
    core.differences = [DIFFERENCE, {**DIFFERENCE, "id": None, "name": "New rule", "path": None, "actual": None}]
    code, out, _ = run(["verify", str(files)], capsys)
    assert code == cli.EXIT_DIFFERS
    assert "2 difference(s)" in out
    assert "Leads workflow rule 4876876000010880001 'Assign web leads': conditions[0].scheduled_actions[0]" in out
    assert "files: 2" in out
    assert "live:  3" in out
    assert "'New rule': (whole object)" in out


def test_verify_json(core: FakeCore, client: FakeClient, files: Path, capsys: Any) -> None:
    core.differences = [DIFFERENCE]
    code, out, _ = run(["verify", str(files), "--json"], capsys)
    assert code == cli.EXIT_DIFFERS
    assert json.loads(out) == [DIFFERENCE]


# --- export ----------------------------------------------------------------------------------------


def test_export_summary(core: FakeCore, client: FakeClient, tmp_path: Path, capsys: Any) -> None:
    code, out, _ = run(
        ["export", "--modules", "Leads,Deals", str(tmp_path / "out"), "--conn-id", "zoho_crm_sandbox"], capsys
    )
    assert code == cli.EXIT_OK
    assert core.calls == [("export", (["Leads", "Deals"], str(tmp_path / "out")))]
    assert client.conn_id == "zoho_crm_sandbox"  # type: ignore[attr-defined]
    assert out.startswith("Exported 4 workflow rule(s) (Leads 2, Deals 2) and 3 connected workflow(s)")


def test_export_json(core: FakeCore, client: FakeClient, tmp_path: Path, capsys: Any) -> None:
    code, out, _ = run(["export", "--modules", "Leads", str(tmp_path), "--json"], capsys)
    assert code == cli.EXIT_OK
    assert json.loads(out)["calls"] == 7


# --- apply -----------------------------------------------------------------------------------------


def test_apply_without_a_terminal_or_auto_approve_refuses_before_writing(
    core: FakeCore, client: FakeClient, files: Path, capsys: Any
) -> None:
    code, out, err = run(["apply", str(files)], capsys, stdin=io.StringIO("yes\n"))
    assert code == cli.EXIT_ERROR
    assert core.names() == ["plan"]
    assert "active True -> False" in out  # the plan is shown all the same
    assert "stdin is not a terminal, so the plan cannot be confirmed; nothing was written (at --auto-approve)" in err


def test_apply_asks_and_applies_on_yes(core: FakeCore, client: FakeClient, files: Path, capsys: Any) -> None:
    code, out, err = run(["apply", str(files)], capsys, stdin=_Terminal("yes\n"))
    assert code == cli.EXIT_OK
    assert core.names() == ["plan", "apply"]
    assert "Only 'yes' is accepted" in err
    assert "Applied 1 step(s) (Leads) in 3 call(s)." in out
    assert "Verified: live Zoho equals the files." in out


@pytest.mark.parametrize("answer", ["no\n", "y\n", "YES please\n", ""])
def test_apply_cancelled_by_any_other_answer(
    answer: str, core: FakeCore, client: FakeClient, files: Path, capsys: Any
) -> None:
    code, out, _ = run(["apply", str(files)], capsys, stdin=_Terminal(answer))
    assert code == cli.EXIT_ERROR
    assert core.names() == ["plan"]
    assert "Apply cancelled: nothing was written." in out


def test_apply_auto_approve(core: FakeCore, client: FakeClient, files: Path, capsys: Any) -> None:
    code, _, _ = run(["apply", str(files), "--auto-approve"], capsys, stdin=io.StringIO(""))
    assert code == cli.EXIT_OK
    assert core.names() == ["plan", "apply"]


def test_apply_with_nothing_to_do_asks_nothing(core: FakeCore, client: FakeClient, files: Path, capsys: Any) -> None:
    core.plan = FakePlan([])
    code, out, err = run(["apply", str(files)], capsys, stdin=io.StringIO(""))
    assert code == cli.EXIT_OK
    assert core.names() == ["plan"]
    assert "No changes" in out
    assert "Verified" in out
    assert "nothing to apply" in err


def test_apply_a_saved_plan_applies_exactly_it(core: FakeCore, client: FakeClient, tmp_path: Path, capsys: Any) -> None:
    saved = tmp_path / "plan.json"
    saved.write_text(json.dumps(FakePlan([STEP], fingerprint="reviewed").to_dict()))
    code, _, _ = run(["apply", str(saved), "--auto-approve", "--json"], capsys)
    assert code == cli.EXIT_OK
    assert core.names() == ["apply"]  # no new plan
    assert core.calls[0][1].fingerprint == "reviewed"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not a plan: not JSON"),
        (json.dumps({"format": 9, "steps": [], "fingerprint": "x"}), "plan.format must be 1"),
    ],
)
def test_apply_refuses_a_bad_plan_file_in_one_line(
    content: str, message: str, core: FakeCore, client: FakeClient, tmp_path: Path, capsys: Any
) -> None:
    saved = tmp_path / "plan.json"
    saved.write_text(content)
    code, _, err = run(["apply", str(saved), "--auto-approve"], capsys)
    assert code == cli.EXIT_ERROR
    assert core.calls == []
    assert len(err.splitlines()) == 1
    assert message in err


def test_apply_of_nothing_there(core: FakeCore, client: FakeClient, tmp_path: Path, capsys: Any) -> None:
    code, _, err = run(["apply", str(tmp_path / "gone"), "--auto-approve"], capsys)
    assert code == cli.EXIT_ERROR
    assert "is neither a directory nor a file" in err


def test_apply_that_does_not_verify_exits_1_listing_the_differences(
    core: FakeCore, client: FakeClient, files: Path, capsys: Any
) -> None:
    core.verified = False
    code, out, err = run(["apply", str(files), "--auto-approve"], capsys)
    assert code == cli.EXIT_ERROR
    assert "conditions[0].scheduled_actions[0].execute_after.value" in out
    assert "still differs from the files" in err


# --- errors ----------------------------------------------------------------------------------------


def test_a_typed_error_is_one_line_without_traceback(
    core: FakeCore, client: FakeClient, files: Path, capsys: Any
) -> None:
    from airflow_provider_zohocrm.exceptions import ZohoCRMDriftError

    core.error = ZohoCRMDriftError("Live Zoho changed since the plan\nwas made", hint="Plan again")
    code, out, err = run(["verify", str(files)], capsys)
    assert code == cli.EXIT_ERROR
    assert out == ""
    last = err.splitlines()[-1]
    assert last == "zohocrm-automation: error: Live Zoho changed since the plan was made. Plan again"
    assert "Traceback" not in err


def test_an_unexpected_error_shows_its_type_only_unless_verbose(
    core: FakeCore, client: FakeClient, files: Path, capsys: Any
) -> None:
    core.error = RuntimeError(f"something holding {CLIENT_SECRET}")
    code, _, err = run(["verify", str(files)], capsys)
    assert code == cli.EXIT_ERROR
    assert err.splitlines()[-1] == "zohocrm-automation: error: unexpected RuntimeError (run with --verbose to see it)"
    assert CLIENT_SECRET not in err
    code, _, err = run(["verify", str(files), "--verbose"], capsys)
    assert code == cli.EXIT_ERROR
    assert "Traceback" in err


def test_a_closed_stdout_ends_quietly(
    core: FakeCore, client: FakeClient, files: Path, capsys: Any, monkeypatch: Any
) -> None:
    def closed(*args: Any, **kwargs: Any) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli._Run, "print", closed)
    code, _, err = run(["verify", str(files)], capsys)
    assert code == cli.EXIT_ERROR
    assert "error" not in err


def test_interrupt_exits_130(core: FakeCore, client: FakeClient, files: Path, capsys: Any) -> None:
    core.error = KeyboardInterrupt()
    code, _, err = run(["verify", str(files)], capsys)
    assert code == cli.EXIT_INTERRUPTED
    assert "interrupted" in err


def test_library_output_stays_off_stdout_and_shows_on_stderr_with_verbose(
    core: FakeCore, client: FakeClient, files: Path, capsys: Any, monkeypatch: Any
) -> None:
    real = core.verify_state

    def noisy(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        print("a log line printed to stdout by a library")
        print("a deprecation notice", file=sys.stderr)
        return real(*args, **kwargs)

    import airflow_provider_zohocrm.as_code as package

    monkeypatch.setattr(package, "verify_state", noisy)
    code, out, err = run(["verify", str(files), "--json"], capsys)
    assert code == cli.EXIT_OK
    assert json.loads(out) == []
    assert "a log line" not in err
    assert "a deprecation notice" not in err
    assert "verify: reading Leads" in err  # the CLI's own progress

    code, out, err = run(["verify", str(files), "--json", "--verbose"], capsys)
    assert json.loads(out) == []
    assert "a log line printed to stdout by a library" in err
    assert "a deprecation notice" in err


# --- the connection --------------------------------------------------------------------------------


def _conn_json(**overrides: Any) -> str:
    doc = {
        "conn_type": "zoho_crm",
        "login": CLIENT_ID,
        "password": CLIENT_SECRET,
        "extra": {"refresh_token": REFRESH_TOKEN, "data_center": "eu"},
    }
    doc.update(overrides)
    return json.dumps(doc)


def test_settings_from_env_reads_the_json_form() -> None:
    settings = cli.settings_from_env("zoho_crm_sandbox", {"AIRFLOW_CONN_ZOHO_CRM_SANDBOX": _conn_json()})
    assert settings.conn_id == "zoho_crm_sandbox"
    assert settings.client_id == CLIENT_ID
    assert settings.api_url == "https://www.zohoapis.eu"


def test_settings_from_env_takes_extra_as_json_text() -> None:
    text = _conn_json(extra=json.dumps({"refresh_token": REFRESH_TOKEN, "environment": "sandbox"}))
    settings = cli.settings_from_env("x", {"AIRFLOW_CONN_X": text})
    assert settings.environment == "sandbox"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "AIRFLOW_CONN_ZOHO_CRM_DEFAULT is not set"),
        ("  ", "AIRFLOW_CONN_ZOHO_CRM_DEFAULT is not set"),
        (f"zoho-crm://{CLIENT_ID}:{CLIENT_SECRET}@?refresh_token={REFRESH_TOKEN}", "is not JSON"),
        (json.dumps([CLIENT_SECRET]), "must hold a JSON object"),
        (_conn_json(conn_type="http"), "conn_type 'http'; expected 'zoho_crm'"),
        (_conn_json(extra=f"{{{REFRESH_TOKEN}"), "its extra is text that is not a JSON object"),
        (_conn_json(password=None), "password (Client Secret) is missing"),
        (_conn_json(extra={"refresh_token": REFRESH_TOKEN, "timeuot": 3}), "did you mean 'timeout'"),
    ],
)
def test_settings_from_env_errors_name_the_variable_never_a_secret(value: str | None, message: str) -> None:
    environ = {} if value is None else {"AIRFLOW_CONN_ZOHO_CRM_DEFAULT": value}
    with pytest.raises(ZohoCRMConnectionConfigError) as caught:
        cli.settings_from_env("zoho_crm_default", environ)
    assert message in str(caught.value)
    assert not any(canary in str(caught.value) for canary in CANARIES)


def test_connect_goes_through_airflow_when_configured(monkeypatch: pytest.MonkeyPatch, make_zoho_conn: Any) -> None:
    from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook

    make_zoho_conn("zoho_crm_sandbox", data_center="in")
    looked_up: list[str] = []
    real = ZohoCRMHook.get_connection
    monkeypatch.setattr(ZohoCRMHook, "get_connection", classmethod(lambda cls, cid: looked_up.append(cid) or real(cid)))
    monkeypatch.setattr(cli, "airflow_configured", lambda: True)
    with cli.connect("zoho_crm_sandbox") as client:
        assert client.settings.api_url == "https://www.zohoapis.in"
    assert looked_up == ["zoho_crm_sandbox"]


def test_connect_reads_the_environment_when_airflow_is_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook

    monkeypatch.setenv("AIRFLOW_CONN_ZOHO_CRM_DEFAULT", _conn_json())
    monkeypatch.setattr(cli, "airflow_configured", lambda: False)
    monkeypatch.setattr(ZohoCRMHook, "get_connection", classmethod(lambda cls, cid: pytest.fail("Airflow used")))
    with cli.connect("zoho_crm_default") as client:
        assert client.settings.data_center == "eu"


@pytest.mark.parametrize(
    ("environ", "config_file", "expected"),
    [
        ({"AIRFLOW_HOME": "/somewhere"}, False, True),
        ({"AIRFLOW_CONFIG": "/somewhere/airflow.cfg"}, False, True),
        ({}, True, True),
        ({}, False, False),
    ],
)
def test_airflow_configured_in_a_fresh_interpreter(
    environ: dict[str, str], config_file: bool, expected: bool, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    if config_file:
        (home / "airflow").mkdir(parents=True)
        (home / "airflow" / "airflow.cfg").write_text("[core]\n")
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("AIRFLOW")}
    env.update(environ, HOME=str(home))
    script = "from airflow_provider_zohocrm.as_code import cli; print(cli.airflow_configured())"
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(expected)
    assert not (home / "airflow" / "airflow.cfg").exists() or config_file  # asking wrote no configuration


WITHOUT_AIRFLOW = textwrap.dedent(
    """
    import sys
    sys.modules["airflow"] = None  # import airflow now fails
    from airflow_provider_zohocrm.as_code import cli

    assert cli.airflow_configured() is False
    with cli.connect(sys.argv[1]) as client:
        print(client.settings.conn_id, client.settings.data_center, client.settings.environment)
    try:
        cli.connect("missing")
    except Exception as exc:
        print(type(exc).__name__, exc)
    print(sorted(n for n, m in sys.modules.items() if m is not None and n.split(".")[0] == "airflow"))
    """
)


def test_connection_from_the_environment_without_airflow(tmp_path: Path) -> None:
    import os

    env = dict(
        os.environ,
        AIRFLOW_CONN_ZOHO_CRM_SANDBOX=_conn_json(extra={"refresh_token": REFRESH_TOKEN, "environment": "sandbox"}),
    )
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_AIRFLOW, "zoho_crm_sandbox"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    first, missing, loaded = done.stdout.strip().splitlines()
    assert first == "zoho_crm_sandbox us sandbox"
    assert missing.startswith(
        "ZohoCRMConnectionConfigError no connection 'missing': Airflow is not installed or configured"
    )
    assert "AIRFLOW_CONN_MISSING is not set" in missing
    assert loaded == "[]"
