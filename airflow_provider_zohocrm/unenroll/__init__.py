"""Un-enroll records from cadences at any scale: batching, the engine, its result and checkpoints.

Usable without Airflow: the engine takes a ``send(body)`` function, and the client's
``cadences.unenroll`` gives it the transport.
"""
