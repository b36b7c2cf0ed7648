"""The emulated organisation and its one user, as the official SDK's user lookup expects."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

ORG_ID = "4876876000000100003"
ZGID = "60012345678"
ADMIN = {"name": "Emulator Admin", "id": "4876876000000411001"}
# Zoho renders times in the org's time zone; the docs' samples use +05:30.
ORG_TIME_ZONE = timezone(timedelta(hours=5, minutes=30))


def org_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, ORG_TIME_ZONE).isoformat(timespec="seconds")


def users_body() -> dict[str, Any]:
    return {
        "users": [
            {
                "id": ADMIN["id"],
                "full_name": ADMIN["name"],
                "first_name": "Emulator",
                "last_name": "Admin",
                "email": "emulator@example.com",
                "status": "active",
                "role": {"name": "CEO", "id": "4876876000000026005"},
                "profile": {"name": "Administrator", "id": "4876876000000026011"},
                "time_zone": "Asia/Kolkata",
            }
        ],
        "info": {"per_page": 200, "count": 1, "page": 1, "more_records": False},
    }


def org_body() -> dict[str, Any]:
    return {
        "org": [
            {
                "id": ORG_ID,
                "zgid": ZGID,
                "company_name": "Emulated Org",
                "primary_email": "emulator@example.com",
                "time_zone": "Asia/Kolkata",
                "currency": "US Dollar - USD",
                "country_code": "US",
                "type": "production",
            }
        ]
    }
