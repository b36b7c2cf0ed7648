"""What both status triggers share: the polling loop, its deadline and the events it yields.

The loop never blocks the triggerer's event loop: every call into the (synchronous) client runs
in a worker thread with :func:`asyncio.to_thread`, so its token refresh, its retries of 429/5xx
and their backoff sleeps all happen off the loop, and the client's auth, retry and error logic is
reused as is. The connection is fetched with ``get_async_connection`` and turned into settings;
the triggerer then uses :class:`~airflow_provider_zohocrm.client.ZohoCRMClient` directly, no hook.

The module imports nothing beyond ``airflow.triggers.base``: the client (and with it ``requests``
and ``tenacity``) is imported inside the worker thread on the first poll.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_zohocrm.connection import DEFAULT_CONN_ID

if TYPE_CHECKING:
    from airflow_provider_zohocrm.client import ZohoCRMClient

DEFAULT_POKE_INTERVAL = 60.0


class ZohoCRMStatusTrigger(BaseTrigger):
    """Poll one Zoho CRM object until its state is the wanted one, an error occurs or the deadline passes.

    Yields exactly one event:

    - ``{"status": "success", "state": <current state>}``
    - ``{"status": "error", "error": <exception class name>, "message": ..., "status_code": ...,
      "code": ...}`` for a missing id (``ZohoCRMNotFoundError``), refused credentials, an error
      that outlived the client's retry budget, or a connection that cannot be read;
    - ``{"status": "timeout", "state": <last state>, "message": ...}`` once ``deadline`` passed.

    Subclasses name their kwargs (``id_kwarg``, ``wanted_kwarg``) and say how to read the state.

    :param object_id: the id of the object to watch.
    :param wanted: the state that ends the wait.
    :param deadline: when to give up, in seconds since the epoch (``None``: never; Airflow's
        deferral timeout still applies). Absolute, so a trigger restarted on another triggerer
        keeps the sensor's original timeout.
    :param poke_interval: seconds between two polls.
    :param zoho_crm_conn_id: the Zoho CRM connection; the only credential reference serialized.
    """

    id_kwarg: ClassVar[str] = "object_id"
    wanted_kwarg: ClassVar[str] = "wanted"
    object_kind: ClassVar[str] = "object"

    def __init__(
        self,
        *,
        object_id: str,
        wanted: Any,
        deadline: float | None,
        poke_interval: float = DEFAULT_POKE_INTERVAL,
        zoho_crm_conn_id: str = DEFAULT_CONN_ID,
    ) -> None:
        super().__init__()
        self.object_id = object_id
        self.wanted = wanted
        self.deadline = None if deadline is None else float(deadline)
        self.poke_interval = float(poke_interval)
        self.zoho_crm_conn_id = zoho_crm_conn_id

    # ------------------------------------------------------------------ subclass API

    @staticmethod
    def read_state(client: ZohoCRMClient, object_id: str) -> Any:
        """Fetch the object and return its current state (runs in a worker thread)."""
        raise NotImplementedError

    @staticmethod
    def is_done(state: Any, wanted: Any) -> bool:
        """Whether ``state`` ends the wait."""
        return bool(state == wanted)

    @staticmethod
    def describe(state: Any) -> str:
        """``state`` in words, for logs and messages."""
        return state if isinstance(state, str) else repr(state)

    @classmethod
    def build(
        cls,
        object_id: str,
        wanted: Any,
        *,
        deadline: float | None,
        poke_interval: float,
        zoho_crm_conn_id: str,
    ) -> ZohoCRMStatusTrigger:
        """Construct through the subclass's own keyword names (as ``serialize()`` returns them)."""
        kwargs: dict[str, Any] = {
            cls.id_kwarg: object_id,
            cls.wanted_kwarg: wanted,
            "deadline": deadline,
            "poke_interval": poke_interval,
            "zoho_crm_conn_id": zoho_crm_conn_id,
        }
        return cls(**kwargs)

    # ------------------------------------------------------------------ BaseTrigger

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """The class path and the kwargs to rebuild this trigger: ids and settings, never a secret."""
        cls = type(self)
        return (
            f"{cls.__module__}.{cls.__qualname__}",
            {
                cls.id_kwarg: self.object_id,
                cls.wanted_kwarg: self.wanted,
                "deadline": self.deadline,
                "poke_interval": self.poke_interval,
                "zoho_crm_conn_id": self.zoho_crm_conn_id,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        yield TriggerEvent(await self._wait())

    # ------------------------------------------------------------------ the loop

    async def _wait(self) -> dict[str, Any]:
        client: ZohoCRMClient | None = None
        try:
            from airflow.providers.common.compat.connection import get_async_connection

            conn = await get_async_connection(self.zoho_crm_conn_id)
            # Reading the extras masks secrets synchronously: keep it off the event loop too.
            client = await asyncio.to_thread(_client_for, conn)
            while True:
                state = await asyncio.to_thread(self.read_state, client, self.object_id)
                if self.is_done(state, self.wanted):
                    self.log.info("%s %s is %s", self._label(), self.object_id, self.describe(state))
                    return {"status": "success", "state": state}
                remaining = None if self.deadline is None else self.deadline - time.time()
                if remaining is not None and remaining <= 0:
                    return self._timeout_event(state)
                wait = self.poke_interval if remaining is None else min(self.poke_interval, remaining)
                self.log.info(
                    "%s %s is %s, waiting for %s; next check in %.3g s",
                    self._label(),
                    self.object_id,
                    self.describe(state),
                    self.describe(self.wanted),
                    wait,
                )
                await asyncio.sleep(wait)
        except Exception as exc:
            return self._error_event(exc)
        finally:
            if client is not None:
                client.close()

    def _label(self) -> str:
        return self.object_kind[:1].upper() + self.object_kind[1:]

    def _timeout_event(self, state: Any) -> dict[str, Any]:
        when = datetime.fromtimestamp(self.deadline or 0, tz=UTC).isoformat(timespec="seconds")
        message = (
            f"{self._label()} {self.object_id} was still {self.describe(state)} at the sensor's deadline ({when}); "
            f"wanted {self.describe(self.wanted)}"
        )
        self.log.info("%s", message)
        return {"status": "timeout", "state": state, "message": message}

    def _error_event(self, exc: Exception) -> dict[str, Any]:
        from airflow_provider_zohocrm.exceptions import ZohoCRMError

        if isinstance(exc, ZohoCRMError):
            message = str(exc)
            status_code, code = exc.status_code, exc.code
        else:
            message = f"{type(exc).__name__}: {exc}"
            status_code, code = None, None
        self.log.error("Stopped waiting for %s %s: %s", self.object_kind, self.object_id, message)
        return {
            "status": "error",
            "error": type(exc).__name__,
            "message": message,
            "status_code": status_code,
            "code": code,
        }


def _client_for(conn: Any) -> ZohoCRMClient:
    from airflow_provider_zohocrm.client import ZohoCRMClient
    from airflow_provider_zohocrm.connection import settings_from_connection

    return ZohoCRMClient(settings_from_connection(conn))
