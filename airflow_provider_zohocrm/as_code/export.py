"""Export: write the live automation of chosen modules as files, the same bytes for the same state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.as_code.files import write_rules, write_workflows
from airflow_provider_zohocrm.as_code.live import Progress, Session, read_live
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.validation import preview, validate_modules

if TYPE_CHECKING:
    from airflow_provider_zohocrm.client import ZohoCRMClient


def export_state(
    client: ZohoCRMClient, modules: list[str], directory: str, *, progress: Progress | None = None
) -> dict[str, Any]:
    """Write ``workflow_rules/<Module>.yaml`` for each of ``modules`` and ``connected_workflows.yaml``.

    Full definitions, in execution order, volatile fields left out (:mod:`.normalize`). Files of
    other modules already in ``directory`` are left alone. Returns a JSON-serialisable summary:
    ``{"modules": {module: rules}, "connected_workflows": n, "files": [relative paths], "calls": n}``.
    """
    if isinstance(modules, str):
        modules = [part.strip() for part in modules.split(",") if part.strip()]
    modules = validate_modules(modules, "modules")
    if not isinstance(directory, str) or not directory.strip():
        raise ZohoCRMValidationError(
            f"directory must be a local directory path; got {preview(directory)}",
            details={"json_path": "directory"},
            hint="Pass the directory to write the files into, e.g. 'automation/'",
        )
    session = Session(client, progress)
    live = read_live(session, modules)
    files = []
    for module in modules:
        files.append(write_rules(directory, module, live.canonical_rules(module)))
    files.append(write_workflows(directory, live.canonical_workflows()))
    counts = {module: len(live.rules[module]) for module in modules}
    session.progress(f"Wrote {len(files)} file(s) into {directory} ({sum(counts.values())} workflow rule(s))")
    return {
        "modules": counts,
        "connected_workflows": len(live.workflows),
        "files": files,
        "calls": session.calls,
    }
