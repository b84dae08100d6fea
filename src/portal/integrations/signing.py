"""A webhook's body and its signature (R-OFF-6).

Signature: the Standard Webhooks specification (https://www.standardwebhooks.com/), through its
reference library: ``webhook-id`` (the event's id, the same on every retry),
``webhook-timestamp`` (unix seconds of the attempt) and ``webhook-signature``
(``v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">``, one per valid secret,
space-separated during a secret rotation). A receiver verifies with ``standardwebhooks`` or the
same steps by hand, rejects a timestamp more than 5 minutes off and drops a repeated id.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from standardwebhooks import Webhook


def signed_headers(
    secrets: list[str], webhook_id: str, body: bytes, timestamp: int | None = None
) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body``, signed with every secret in
    ``secrets``."""
    ts = int(time.time()) if timestamp is None else timestamp
    at = datetime.fromtimestamp(ts, tz=UTC)
    text = body.decode()
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": " ".join(
            Webhook(secret).sign(webhook_id, at, text) for secret in secrets
        ),
    }


def encode(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
