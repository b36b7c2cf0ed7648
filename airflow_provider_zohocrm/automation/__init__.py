"""Snapshot, pause and restore of Zoho CRM automation around data loads: the pure logic.

- :mod:`.document`: the versioned snapshot document (also the shape of the live state).
- :mod:`.selection`: which objects of a snapshot a pause acts on (``include``/``exclude``).
- :mod:`.pause`: the pause plan. :mod:`.drift`: what changed behind our back. :mod:`.restore`: the
  restore plan. :mod:`.actions`: one write each, as a planned request and a hook call.
- :mod:`.storage`: reading and writing documents (local files, object storage URLs).

The operators in :mod:`airflow_provider_zohocrm.operators.automation` only read, call these, and write.
"""
