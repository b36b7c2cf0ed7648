"""What both status sensors share: the lazy hook, the poke, deferral and how a deferral ends.

Failure semantics, the same in ``poke``, ``reschedule`` and deferrable mode:

- the wanted state seen → success; the XCom value is the object's current state;
- ``timeout`` passed → ``AirflowSensorTimeout``, or a skip when ``soft_fail=True``;
- an invalid parameter (``ZohoCRMValidationError``, raised before any request), an id that does
  not exist (``ZohoCRMNotFoundError``, at the first poke), refused credentials or an error that
  outlived the hook's retry budget → the task fails at once, **even with** ``soft_fail=True``:
  ``soft_fail`` is about the wanted state not arriving in time, and a typo in an id must not
  turn into a quietly skipped release step. (Airflow's own deferrable sensors skip on any
  error under ``soft_fail``; poke-mode sensors do not. This provider follows poke mode in all
  modes.) ``never_fail=True`` still skips on any error, as documented by Airflow.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import (
    AirflowSensorTimeout,
    AirflowSkipException,
    BaseSensorOperator,
    PokeReturnValue,
    conf,
)

from airflow_provider_zohocrm.connection import DEFAULT_CONN_ID
from airflow_provider_zohocrm.exceptions import ZohoCRMError

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import Context

    from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
    from airflow_provider_zohocrm.triggers.base import ZohoCRMStatusTrigger


class ZohoCRMStatusSensor(BaseSensorOperator):
    """Base of the status sensors: wait until a Zoho CRM object reaches a wanted state.

    Subclasses return the validated ``(object id, wanted state)`` from :meth:`target` and the
    trigger class from :meth:`trigger_class`; the trigger class also reads the state, so the
    sensor's poke and the triggerer's poll share one implementation.

    :param zoho_crm_conn_id: the Zoho CRM connection to use.
    :param deferrable: poke once, then wait in the triggerer instead of holding a worker slot.
        Defaults to Airflow's ``[operators] default_deferrable``.
    """

    template_fields: Sequence[str] = ("zoho_crm_conn_id",)
    ui_color = "#e42527"
    ui_fgcolor = "#ffffff"

    def __init__(
        self,
        *,
        zoho_crm_conn_id: str = DEFAULT_CONN_ID,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.zoho_crm_conn_id = zoho_crm_conn_id
        self.deferrable = deferrable

    # ------------------------------------------------------------------ subclass API

    def target(self) -> tuple[str, Any]:
        """The validated ``(object id, wanted state)``; raises ``ZohoCRMValidationError``."""
        raise NotImplementedError

    def trigger_class(self) -> type[ZohoCRMStatusTrigger]:
        """The trigger class that polls for this sensor (imported lazily)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ sensor

    @cached_property
    def hook(self) -> ZohoCRMHook:
        """Built on first use inside ``execute`` (never while the DAG file is parsed)."""
        from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook

        return ZohoCRMHook(zoho_crm_conn_id=self.zoho_crm_conn_id)

    def poke(self, context: Context) -> PokeReturnValue:
        object_id, wanted = self.target()
        trigger_cls = self.trigger_class()
        state = trigger_cls.read_state(self.hook.client, object_id)
        done = trigger_cls.is_done(state, wanted)
        self.log.info(
            "%s %s is %s%s",
            trigger_cls.object_kind.capitalize(),
            object_id,
            trigger_cls.describe(state),
            "" if done else f", waiting for {trigger_cls.describe(wanted)}",
        )
        return PokeReturnValue(is_done=done, xcom_value=state)

    def execute(self, context: Context) -> Any:
        if not self.deferrable:
            return super().execute(context)
        deadline = time.time() + self.timeout
        object_id, wanted = self.target()
        try:
            result = self.poke(context)
        except ZohoCRMError as exc:
            if getattr(self, "never_fail", False):
                raise AirflowSkipException(f"Skipping due to never_fail is set to True: {exc}") from exc
            raise
        if result.is_done:
            return result.xcom_value
        self.defer(
            trigger=self.trigger_class().build(
                object_id,
                wanted,
                deadline=deadline,
                poke_interval=self.poke_interval,
                zoho_crm_conn_id=self.zoho_crm_conn_id,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=self.timeout),
        )

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Resume after the trigger: return the state, or raise a clear error or timeout."""
        status = (event or {}).get("status")
        if event is None or status not in ("success", "error", "timeout"):
            raise ZohoCRMError(f"{self.task_id} resumed with an unexpected trigger event {event!r}")
        if status == "success":
            self.log.info("Wanted state reached: %r", event.get("state"))
            return event.get("state")
        if status == "timeout":
            raise AirflowSensorTimeout(f"Sensor has timed out: {event.get('message') or 'deadline passed'}")
        raise error_from_event(event)

    def resume_execution(self, next_method: str, next_kwargs: dict[str, Any] | None, context: Context) -> Any:
        # Airflow turns any error of a resumed sensor into a skip under soft_fail; undo that for
        # the provider's own errors so soft_fail means the same in every mode (module docstring).
        try:
            return super().resume_execution(next_method, next_kwargs, context)
        except AirflowSkipException as skip:
            cause = skip.__cause__
            if self.soft_fail and isinstance(cause, ZohoCRMError):
                raise cause from None
            raise


def error_from_event(event: dict[str, Any]) -> ZohoCRMError:
    """The typed error a trigger reported, e.g. ``ZohoCRMNotFoundError`` for a missing id."""
    from airflow_provider_zohocrm import exceptions

    cls = getattr(exceptions, str(event.get("error") or ""), None)
    if not (isinstance(cls, type) and issubclass(cls, ZohoCRMError)):
        cls = ZohoCRMError
    try:
        error = cls(str(event.get("message") or "the trigger failed without a message"))
    except TypeError:  # a subclass with required arguments of its own
        error = ZohoCRMError(str(event.get("message")))
    # Set after construction: the message already carries them, rendering them again would repeat them.
    error.status_code = event.get("status_code")  # type: ignore[assignment]  # typed as HTTPStatus upstream
    error.code = event.get("code")
    return error
