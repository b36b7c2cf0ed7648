"""Run the Zoho CRM emulator until SIGINT/SIGTERM.

    python -m airflow_provider_zohocrm.testing.emulator --host 127.0.0.1 --port 0

Prints ``KEY=value`` lines (base URL, accepted credentials, the Airflow connection) and flushes,
so a parent process can read them from the pipe before the first request.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import threading
from collections.abc import Sequence

from airflow_provider_zohocrm.testing.emulator.config import EDITIONS
from airflow_provider_zohocrm.testing.emulator.server import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
    ZohoCRMEmulator,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m airflow_provider_zohocrm.testing.emulator",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    parser.add_argument("--refresh-token", default=DEFAULT_REFRESH_TOKEN)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--concurrency-limit", type=int, default=10)
    parser.add_argument("--edition", choices=EDITIONS, default="enterprise")
    parser.add_argument("--token-lifetime", type=int, default=3600, help="access token lifetime, seconds")
    parser.add_argument(
        "--token-mint-limit",
        type=int,
        default=10,
        help='tokens per refresh token per 10 minutes before "Access Denied"',
    )
    parser.add_argument(
        "--token-latency-ms", type=float, default=None, help="token endpoint latency (default: --latency-ms)"
    )
    parser.add_argument("--seed", action=argparse.BooleanOptionalAction, default=True, help="seed demo data")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    emulator = ZohoCRMEmulator(
        args.host,
        args.port,
        client_id=args.client_id,
        client_secret=args.client_secret,
        refresh_token=args.refresh_token,
        latency_ms=args.latency_ms,
        concurrency_limit=args.concurrency_limit,
        edition=args.edition,
        token_lifetime=args.token_lifetime,
        token_mint_limit=args.token_mint_limit,
        token_latency_ms=args.token_latency_ms,
        seed=args.seed,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with emulator:
        lines = {
            "ZOHO_CRM_EMULATOR_URL": emulator.url,
            "ZOHO_CRM_CLIENT_ID": emulator.client_id,
            "ZOHO_CRM_CLIENT_SECRET": emulator.client_secret,
            "ZOHO_CRM_REFRESH_TOKEN": emulator.refresh_token,
            **emulator.connection_env(),
        }
        for key, value in lines.items():
            print(f"{key}={shlex.quote(value)}", flush=True)
        while not stop.wait(0.5):
            pass


if __name__ == "__main__":
    main()
