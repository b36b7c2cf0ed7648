"""One try of an ``UnenrollCadenceOperator`` task checkpointing to a URL (``test_unenroll_object_store_resume``).

Usage: ``python unenroll_object_store_process.py SPEC.json``; the spec names the records file, the
cadences, ``max_workers``, the task instance key, the ``checkpoint`` URL and where to write the
result. The connection comes from ``AIRFLOW_CONN_ZOHO_CRM_DEFAULT``; nothing else is shared with
other tries but that URL.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace


def main(spec_path: str) -> None:
    from airflow_provider_zohocrm.operators.cadences import UnenrollCadenceOperator

    spec = json.loads(Path(spec_path).read_text())
    task = UnenrollCadenceOperator(
        task_id=spec["task_id"],
        module="Contacts",
        record_ids=Path(spec["records_file"]).read_text().split(),
        cadence_ids=spec["cadence_ids"],
        max_workers=spec["max_workers"],
        fail_on_error=False,
        checkpoint=spec["checkpoint"],
    )
    ti = SimpleNamespace(dag_id=spec["dag_id"], run_id=spec["run_id"], task_id=spec["task_id"], map_index=-1)
    result = task.execute(context={"ti": ti})  # type: ignore[arg-type]
    Path(spec["result_file"]).write_text(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
