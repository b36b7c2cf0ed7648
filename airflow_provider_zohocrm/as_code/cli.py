"""``zohocrm-automation``: export, plan, apply and verify Zoho CRM automation kept as files, from a terminal.

A thin front over :mod:`airflow_provider_zohocrm.as_code`: it parses arguments, finds the
connection, prints what the core returns, and turns the outcome into an exit code (``plan`` and
``verify`` follow ``terraform plan -detailed-exitcode``: 0 nothing to do, 2 something differs,
1 an error). Results go to stdout, progress and errors to stderr, so ``--json`` output can be piped.

Importing this module imports nothing but the standard library: Airflow (when it is there and
configured) is imported only to look the connection up, once a command runs. When Airflow is not
configured, a command never imports it (see :func:`_keep_unconfigured_airflow_out`).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from airflow_provider_zohocrm.as_code import Plan
    from airflow_provider_zohocrm.client import ZohoCRMClient
    from airflow_provider_zohocrm.connection import ZohoCRMConnectionSettings

PROG = "zohocrm-automation"
DEFAULT_CONN_ID = "zoho_crm_default"  # the same as connection.DEFAULT_CONN_ID, without importing it

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_DIFFERS = 2
EXIT_INTERRUPTED = 130

CONFIRM_WORD = "yes"
_VALUE_WIDTH = 120  # expected/actual values shown in a verify line are cut to this many characters

DESCRIPTION = """\
Keep Zoho CRM workflow rules and connected workflows as files in a repository, and make live Zoho
equal to them: export the live state, review a plan of the exact requests, apply it, verify.

Files (DIR):
  workflow_rules/<Module>.yaml   the module's rules in execution order: id (absent for a rule to
                                 create), name, active, and the definition as Zoho's API shapes it
  connected_workflows.yaml       id, name, primary_module, status, description of each

A rule in the files is matched to a live rule by id, else by its exact name within the module (so
an export of a sandbox applies to production); otherwise it is created. Rules live in Zoho but
absent from the files are reported as unmanaged, never deleted.
"""

EPILOG = f"""\
exit codes:
  0  success; for plan: nothing would change; for verify: live Zoho equals the files
  2  plan: something would change; verify: live Zoho differs from the files (each difference listed)
  1  an error (bad input, a refused request, a stale plan, a cancelled apply), as one line on stderr

connection (--conn-id, default {DEFAULT_CONN_ID}):
  Looked up through Airflow when Airflow is installed and configured here (AIRFLOW_HOME or
  AIRFLOW_CONFIG set, or ~/airflow/airflow.cfg present): its secrets backends, AIRFLOW_CONN_<ID>
  variables and metadata database. Otherwise read from the AIRFLOW_CONN_<ID> environment variable
  in Airflow's JSON form:
    export AIRFLOW_CONN_ZOHO_CRM_DEFAULT='{{"conn_type": "zoho_crm", "login": "<client id>",
      "password": "<client secret>", "extra": {{"refresh_token": "...", "data_center": "eu"}}}}'

examples:
  {PROG} export --modules Leads,Contacts automation/
  {PROG} plan automation/                        # exit 0: in sync, 2: changes to review
  {PROG} plan automation/ --out plan.json        # save the reviewed plan
  {PROG} apply plan.json --auto-approve          # apply exactly that plan (refused if Zoho changed since)
  {PROG} verify automation/ --conn-id zoho_crm_sandbox

Run '{PROG} COMMAND --help' for each command's options.
"""

COMMANDS: dict[str, dict[str, str]] = {
    "export": {
        "help": "write the live automation of modules (and the connected workflows) into DIR",
        "description": """\
Write the live automation into DIR: one workflow_rules/<Module>.yaml per module (every rule's full
definition, in execution order) and connected_workflows.yaml. Volatile fields (modified_time,
created_by, last_executed_time, ...) are left out and keys are written in a stable order, so
exporting twice gives identical files and a git diff shows only real changes. Existing files of
the named modules are overwritten; no secret or token is ever written.""",
        "epilog": f"""\
examples:
  {PROG} export --modules Leads,Contacts automation/
  {PROG} export --modules Deals --conn-id zoho_crm_sandbox sandbox-automation/
  {PROG} export --modules Leads automation/ --json   # the summary as JSON on stdout

exit codes: 0 exported, 1 error.""",
    },
    "plan": {
        "help": "show the requests that would make live Zoho equal to DIR (exit 2 when there are any)",
        "description": """\
Read DIR and the live state, and show the ordered requests that would make Zoho equal to the
files: each rule's field-level changes (before -> after, by field path), status changes, the
execution order (reorder requests of at most 10 rules each), rules to create, connected-workflow
status changes and creations. Nothing is written to Zoho. Rules live in Zoho but absent from the
files are listed as unmanaged; they are never deleted.

--out saves the plan with a fingerprint of the live state it was computed from; 'apply PLAN_FILE'
then carries out exactly that plan, and refuses it, writing nothing, if Zoho changed since.""",
        "epilog": f"""\
examples:
  {PROG} plan automation/
  {PROG} plan automation/ --json | jq '.steps[].action'
  {PROG} plan automation/ --out plan.json    # exit 2: review it, then
  {PROG} apply plan.json

exit codes: 0 nothing would change, 2 something would change, 1 error.""",
    },
    "apply": {
        "help": "carry out the plan for DIR, or a saved PLAN_FILE, then verify",
        "description": """\
Carry out a plan: given DIR, plan first (as 'plan DIR' shows it); given a PLAN_FILE saved by
'plan --out', exactly that plan, refused with nothing written when live Zoho changed since it was
computed. Without --auto-approve the plan is shown and applied only after you type 'yes'; with no
terminal on stdin (CI) --auto-approve is required. After applying, the live state is read again
and compared with the files.""",
        "epilog": f"""\
examples:
  {PROG} apply automation/                       # shows the plan, asks for 'yes'
  {PROG} apply automation/ --auto-approve        # CI
  {PROG} apply plan.json --auto-approve          # the plan a reviewer approved

exit codes: 0 applied (or nothing to do) and verified, 1 error, a refused or stale plan, a
cancelled apply, or live Zoho still differing from the files afterwards.""",
    },
    "verify": {
        "help": "check that live Zoho equals DIR (exit 2 listing every difference)",
        "description": """\
Compare live Zoho with DIR field by field, for drift watching in CI or cron: every difference is
listed with the rule's module, id and name and the field path, the value in the files and the live
value. Unmanaged rules (live but not in the files) are not differences.""",
        "epilog": f"""\
examples:
  {PROG} verify automation/
  {PROG} verify automation/ --json     # the differences as a JSON list

exit codes: 0 live Zoho equals the files, 2 it differs, 1 error.""",
    },
}


# ---------------------------------------------------------------------------------------- parsing


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 1, not argparse's 2: exit 2 means "something differs" here."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _modules(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",")]
    if not text.strip() or any(not name for name in names):
        raise argparse.ArgumentTypeError(
            f"expected module API names separated by commas (Leads,Contacts); got {text!r}"
        )
    return names


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command (also what ``--help`` shows)."""
    formatter = argparse.RawDescriptionHelpFormatter
    common = _Parser(add_help=False)
    # SUPPRESS: given after the command it overrides the one given before it, else leaves it alone.
    common.add_argument(
        "--conn-id",
        default=argparse.SUPPRESS,
        metavar="ID",
        help=f"the Zoho CRM connection (default {DEFAULT_CONN_ID}; see 'connection' in {PROG} --help)",
    )
    common.add_argument(
        "-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress messages on stderr"
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="also log the provider's and Airflow's messages, and show the traceback of an unexpected error",
    )

    parser = _Parser(prog=PROG, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter)
    parser.add_argument("--conn-id", default=DEFAULT_CONN_ID, metavar="ID", help=argparse.SUPPRESS)
    parser.add_argument("-q", "--quiet", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=_Parser)

    def command(name: str) -> argparse.ArgumentParser:
        text = COMMANDS[name]
        return commands.add_parser(
            name,
            parents=[common],
            help=text["help"],
            description=text["description"],
            epilog=text["epilog"],
            formatter_class=formatter,
        )

    export = command("export")
    export.add_argument(
        "--modules",
        type=_modules,
        action="extend",
        required=True,
        metavar="M1,M2",
        help="module API names, separated by commas (repeatable): Leads,Contacts",
    )
    export.add_argument("directory", metavar="DIR", help="where the files go (created if missing)")
    export.add_argument("--json", action="store_true", help="print the summary as JSON")

    plan = command("plan")
    plan.add_argument("directory", metavar="DIR", help="the directory holding the files")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON instead of the readable diff")
    plan.add_argument("--out", metavar="PLAN_FILE", help="also save the plan (JSON) for 'apply PLAN_FILE'")

    apply = command("apply")
    apply.add_argument("target", metavar="DIR|PLAN_FILE", help="a directory of files, or a plan saved by 'plan --out'")
    apply.add_argument("--auto-approve", action="store_true", help="apply without asking for confirmation")
    apply.add_argument("--json", action="store_true", help="print the result as JSON")

    verify = command("verify")
    verify.add_argument("directory", metavar="DIR", help="the directory holding the files")
    verify.add_argument("--json", action="store_true", help="print the differences as a JSON list")
    return parser


def _version() -> str:
    from airflow_provider_zohocrm import __version__

    return __version__


# ------------------------------------------------------------------------------------- connection


def airflow_configured() -> bool:
    """Whether Airflow can be imported and has a configuration to read connections with.

    An importable Airflow with none of ``AIRFLOW_HOME``, ``AIRFLOW_CONFIG`` or ``~/airflow/airflow.cfg``
    is not used: importing it would write a fresh configuration into the home directory.
    """
    if "airflow" in sys.modules:
        return sys.modules["airflow"] is not None
    try:
        if importlib.util.find_spec("airflow") is None:
            return False
    except (ImportError, ValueError):
        return False
    if os.environ.get("AIRFLOW_HOME") or os.environ.get("AIRFLOW_CONFIG"):
        return True
    return (Path.home() / "airflow" / "airflow.cfg").is_file()


def _keep_unconfigured_airflow_out() -> None:
    """Run as if Airflow were not installed when it is not configured.

    The provider's error classes derive from Airflow's when Airflow can be imported, and importing
    an unconfigured Airflow writes ``~/airflow/airflow.cfg`` (after which it would count as
    configured). Blocking the import keeps a plain shell's home untouched.
    """
    if "airflow" not in sys.modules and not airflow_configured():
        sys.modules["airflow"] = None  # type: ignore[assignment]  # "import airflow" now raises ImportError


def env_var_name(conn_id: str) -> str:
    """``AIRFLOW_CONN_<ID>``, as Airflow names a connection's environment variable."""
    return f"AIRFLOW_CONN_{conn_id.upper()}"


def settings_from_env(conn_id: str, environ: Mapping[str, str] | None = None) -> ZohoCRMConnectionSettings:
    """The connection ``conn_id`` from ``AIRFLOW_CONN_<ID>`` (Airflow's JSON form), without Airflow.

    Messages name the variable and the key, never a value: the variable holds the client secret.
    """
    from airflow_provider_zohocrm.connection import settings_from_mapping

    environ = os.environ if environ is None else environ
    name = env_var_name(conn_id)
    text = environ.get(name)
    where = "Airflow is not installed or configured here" if not airflow_configured() else "it is not set"
    if not text or not text.strip():
        raise _conn_error(conn_id, f"no connection {conn_id!r}: {where}, and {name} is not set")
    try:
        document = json.loads(text)
    except ValueError:
        raise _conn_error(
            conn_id, f"{name} is not JSON; without Airflow only the JSON form of a connection is read"
        ) from None
    if not isinstance(document, dict):
        raise _conn_error(conn_id, f"{name} must hold a JSON object (conn_type, login, password, extra)")
    conn_type = document.get("conn_type")
    if conn_type is not None and str(conn_type).replace("-", "_") != "zoho_crm":
        raise _conn_error(conn_id, f"{name} has conn_type {str(conn_type)[:50]!r}; expected 'zoho_crm'")
    extra = document.get("extra")
    if isinstance(extra, str):
        try:
            extra = json.loads(extra) if extra.strip() else None
        except ValueError:
            raise _conn_error(conn_id, f"{name}: its extra is text that is not a JSON object") from None
    return settings_from_mapping(
        conn_id=conn_id, login=document.get("login"), password=document.get("password"), extra=extra
    )


def _conn_error(conn_id: str, message: str) -> Exception:
    from airflow_provider_zohocrm.exceptions import ZohoCRMConnectionConfigError

    return ZohoCRMConnectionConfigError(
        message,
        details={"param_name": "conn_id", "conn_id": conn_id},
        hint=f"Set {env_var_name(conn_id)} to the connection's JSON (see the README's 'The connection'), "
        "or configure Airflow with the connection",
    )


def connect(conn_id: str) -> ZohoCRMClient:
    """A client for ``conn_id``: through Airflow when it is installed and configured, else from the environment."""
    if airflow_configured():
        from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook

        return ZohoCRMHook(zoho_crm_conn_id=conn_id).client
    from airflow_provider_zohocrm.client import ZohoCRMClient

    return ZohoCRMClient(settings_from_env(conn_id))


# --------------------------------------------------------------------------------------- commands


class _Run:
    """One command's run: where output goes, how progress is shown, the client (made on first use)."""

    def __init__(self, args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[str]) -> None:
        self.args = args
        self.out = out
        self.err = err
        self.stdin = stdin
        self._client: ZohoCRMClient | None = None

    @property
    def client(self) -> ZohoCRMClient:
        if self._client is None:
            self._client = connect(self.args.conn_id)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def progress(self, message: str) -> None:
        if not self.args.quiet:
            print(f"{PROG}: {message}", file=self.err, flush=True)

    def print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def print_json(self, value: Any) -> None:
        self.print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def _export(run: _Run) -> int:
    from airflow_provider_zohocrm.as_code import export_state

    args = run.args
    summary = export_state(run.client, args.modules, args.directory, progress=run.progress)
    if args.json:
        run.print_json(summary)
        return EXIT_OK
    modules = summary.get("modules", {})
    rules = ", ".join(f"{module} {count}" for module, count in modules.items())
    run.print(
        f"Exported {sum(modules.values())} workflow rule(s) ({rules}) and "
        f"{summary.get('connected_workflows', 0)} connected workflow(s) into {args.directory} "
        f"({len(summary.get('files', []))} file(s), {summary.get('calls', '?')} call(s))"
    )
    return EXIT_OK


def _plan(run: _Run) -> int:
    from airflow_provider_zohocrm.as_code import make_plan

    args = run.args
    _check_directory(args.directory, "DIR")
    plan = make_plan(run.client, args.directory, progress=run.progress)
    if args.out:
        _save_plan(plan, args.out)
    if args.json:
        run.print_json(plan.to_dict())
    else:
        run.print(plan.render())
    if args.out:
        run.progress(f"plan saved to {args.out}; apply it with: {PROG} apply {args.out}")
    return EXIT_DIFFERS if plan.has_changes else EXIT_OK


def _apply(run: _Run) -> int:
    from airflow_provider_zohocrm.as_code import apply_plan, make_plan

    args = run.args
    target = Path(args.target)
    if target.is_dir():
        plan = make_plan(run.client, args.target, progress=run.progress)
    elif target.is_file():
        plan = load_plan(args.target)
    else:
        raise _input_error("DIR|PLAN_FILE", f"{args.target!r} is neither a directory nor a file")
    if not plan.has_changes:
        if not args.json:
            run.print(plan.render())
        run.progress("nothing to apply: live Zoho already equals the files")
        return _report_apply(run, None)
    if not args.auto_approve:
        run.print(plan.render())
        if not _confirmed(run, plan):
            run.print("Apply cancelled: nothing was written.")
            return EXIT_ERROR
    result = apply_plan(run.client, plan, progress=run.progress).to_dict()
    return _report_apply(run, result)


def _confirmed(run: _Run, plan: Plan) -> bool:
    if not _isatty(run.stdin):
        raise _input_error(
            "--auto-approve",
            "stdin is not a terminal, so the plan cannot be confirmed; nothing was written",
            hint="Review the plan ('plan DIR --out PLAN_FILE'), then run 'apply PLAN_FILE --auto-approve'",
        )
    modules = ", ".join(plan.modules_changed()) or "connected workflows"
    print(
        f"\nApply {len(plan.steps)} step(s) ({modules}) to connection {run.args.conn_id!r}?\n"
        f"Only '{CONFIRM_WORD}' is accepted to approve.\n\n  Enter a value: ",
        end="",
        file=run.err,
        flush=True,
    )
    answer = run.stdin.readline()
    return answer.strip() == CONFIRM_WORD


def _report_apply(run: _Run, result: dict[str, Any] | None) -> int:
    if result is None:
        result = {"applied": [], "modules_changed": [], "verified": True, "differences": [], "calls": 0}
    if run.args.json:
        run.print_json(result)
    elif result["applied"]:
        modules = ", ".join(result["modules_changed"]) or "connected workflows"
        run.print(f"Applied {len(result['applied'])} step(s) ({modules}) in {result.get('calls', '?')} call(s).")
    if result["verified"]:
        if not run.args.json:
            run.print("Verified: live Zoho equals the files.")
        return EXIT_OK
    if not run.args.json:
        run.print(_render_differences(result["differences"]))
    print(
        f"{PROG}: error: after applying, live Zoho still differs from the files "
        f"({len(result['differences'])} difference(s) above); someone may have changed it meanwhile",
        file=run.err,
    )
    return EXIT_ERROR


def _verify(run: _Run) -> int:
    from airflow_provider_zohocrm.as_code import verify_state

    args = run.args
    _check_directory(args.directory, "DIR")
    differences = verify_state(run.client, args.directory, progress=run.progress)
    if args.json:
        run.print_json(differences)
    else:
        run.print(_render_differences(differences))
    return EXIT_DIFFERS if differences else EXIT_OK


HANDLERS: dict[str, Callable[[_Run], int]] = {"export": _export, "plan": _plan, "apply": _apply, "verify": _verify}


# ---------------------------------------------------------------------------------------- helpers


def load_plan(location: str) -> Plan:
    """A plan saved by ``plan --out``; bad JSON or a bad plan is a typed error naming the file."""
    from airflow_provider_zohocrm.as_code import Plan

    try:
        text = Path(location).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _input_error("PLAN_FILE", f"{location!r} could not be read: {_reason(exc)}") from None
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise _input_error(
            "PLAN_FILE", f"{location!r} is not a plan: not JSON ({exc})", hint="Pass a file written by 'plan --out'"
        ) from None
    return Plan.from_dict(document)


def _save_plan(plan: Plan, location: str) -> None:
    try:
        Path(location).write_text(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise _input_error("--out", f"{location!r} could not be written: {_reason(exc)}") from None


def _check_directory(location: str, param: str) -> None:
    if not Path(location).is_dir():
        raise _input_error(
            param, f"{location!r} is not a directory", hint=f"Pass a directory written by '{PROG} export'"
        )


def _render_differences(differences: list[dict[str, Any]]) -> str:
    if not differences:
        return "No differences: live Zoho equals the files."
    lines = [f"{len(differences)} difference(s) between the files and live Zoho:"]
    for diff in differences:
        kind = str(diff.get("kind", "")).replace("_", " ")
        where = " ".join(str(part) for part in (diff.get("module"), kind, diff.get("id")) if part)
        lines.append(f"  {where} {diff.get('name')!r}: {diff.get('path') or '(whole object)'}")
        lines.append(f"      files: {_short(diff.get('expected'))}")
        lines.append(f"      live:  {_short(diff.get('actual'))}")
    return "\n".join(lines)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 3] + "..."


def _isatty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed, or not a real stream
        return False


def _input_error(param: str, problem: str, hint: str | None = None) -> Exception:
    from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

    # Rendered "<problem> (at <param>). <hint>" by ZohoCRMError.
    return ZohoCRMValidationError(problem, details={"param_name": param}, hint=hint)


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or type(exc).__name__


def _quiet_logging(verbose: bool) -> None:
    """Library logs at INFO with --verbose; otherwise the provider's warnings only (Airflow's go nowhere, see main)."""
    import logging

    # Airflow logs a failed metadata-database lookup as an ERROR with a traceback, even when another
    # secrets backend then answers or the CLI reports the missing connection in one line.
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO" if verbose else "CRITICAL")
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


def _describe_error(exc: BaseException) -> str | None:
    """The one line for an expected failure, or None for a bug (shown by type only, as it may hold anything)."""
    from airflow_provider_zohocrm.exceptions import ZohoCRMError

    if isinstance(exc, ZohoCRMError):
        return " ".join(str(exc).split())
    if isinstance(exc, OSError):
        return f"{_reason(exc)}: {exc.filename!r}" if exc.filename else _reason(exc)
    return None


# ------------------------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    args = build_parser().parse_args(argv)
    _keep_unconfigured_airflow_out()
    out, err = sys.stdout, sys.stderr
    _quiet_logging(args.verbose)
    run = _Run(args, out=out, err=err, stdin=sys.stdin)
    # What libraries print (Airflow logs to stdout, Airflow 2 prints deprecation notices on import)
    # goes to stderr with --verbose, nowhere otherwise: stdout holds only results, stderr only ours.
    sink = err if args.verbose else open(os.devnull, "w")  # noqa: SIM115 - closed below
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            return HANDLERS[args.command](run)
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted", file=err)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # stdout closed early (| head): stop quietly, with nothing more to write there
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        return EXIT_ERROR
    except Exception as exc:
        line = _describe_error(exc)
        if line is None:
            line = f"unexpected {type(exc).__name__}" + ("" if args.verbose else " (run with --verbose to see it)")
            if args.verbose:
                import traceback

                traceback.print_exception(exc, file=err)
        print(f"{PROG}: error: {line}", file=err)
        return EXIT_ERROR
    finally:
        with contextlib.suppress(Exception):
            run.close()
        if sink is not err:
            sink.close()


if __name__ == "__main__":
    sys.exit(main())
