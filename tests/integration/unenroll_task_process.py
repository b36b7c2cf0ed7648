"""One try of an ``UnenrollCadenceOperator`` task, in a process of its own (``test_unenroll_crash_safety``).

Usage: ``python unenroll_task_process.py SPEC.json``; the spec names the records file, the cadence,
``max_workers``, the task instance key and where to write the result. The connection comes from
``AIRFLOW_CONN_ZOHO_CRM_DEFAULT`` and the checkpoint directory from ``ZOHO_CRM_CHECKPOINT_DIR``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace


def main(spec_path: str) -> None:
    from airflow_provider_zohocrm.operators.cadences import UnenrollCadenceOperator

    spec = json.loads(Path(spec_path).read_text())
    records = Path(spec["records_file"]).read_text().split()
    task = UnenrollCadenceOperator(
        task_id=spec["task_id"],
        module="Contacts",
        record_ids=records,
        cadence_ids=[spec["cadence_id"]],
        max_workers=spec["max_workers"],
        fail_on_error=False,
    )
    ti = SimpleNamespace(dag_id=spec["dag_id"], run_id=spec["run_id"], task_id=spec["task_id"], map_index=-1)
    result = task.execute(context={"ti": ti})  # type: ignore[arg-type]
    Path(spec["result_file"]).write_text(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
