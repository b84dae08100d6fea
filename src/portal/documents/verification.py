"""The public verify page's check (R-SIG-2): was this file, or the document with this code,
issued by the office through the portal, unchanged?

Only an exact SHA-256 on record among the current office's documents counts: a PDF whose seal
is valid but whose bytes are not on record (re-signed, edited and sealed again with a stolen
key, or sealed outside the portal) is "not issued by us, or changed". What the answer may show
is the office's name and the day the document was issued, nothing else: no title, no dossier,
no client, nothing of other documents. A code alone answers the same day, and asks for the file
to prove it unchanged (a code is printed on the paper, so it proves nothing about the bytes).

Every check is audited with the kind of check, the typed code (never the file, its name or its
hash) and the result. An unknown code and an unknown file take the same path: one indexed query
and the same answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.audit.services import record

from .models import Document
from .sealing import format_code, normalise_code


@dataclass(frozen=True)
class Verdict:
    #: ISSUED: the file is one the office issued, unchanged; CODE_KNOWN: the code is one of the
    #: office's documents (the file was not given); NOT_ISSUED: neither.
    result: str
    issued_at: dt.datetime | None = None


ISSUED, CODE_KNOWN, NOT_ISSUED = "issued", "code_known", "not_issued"


def verify(*, sha256: str | None, code: str | None) -> Verdict:
    """Check a file (its SHA-256, computed while it was received) and/or a typed code against
    the current office's documents. With both, the file must be the document with that code."""
    typed = normalise_code(code) if code else None
    documents = Document.objects.order_by("created_at", "pk")
    match: Document | None = None
    if sha256:
        candidates = documents.filter(sha256=sha256)
        if code:
            candidates = candidates.filter(verify_code=typed or "")
        match = candidates.only("created_at").first()
        result = ISSUED if match is not None else NOT_ISSUED
    else:
        match = documents.filter(verify_code=typed or "").only("created_at").first()
        result = CODE_KNOWN if match is not None else NOT_ISSUED
    record(
        "document.verified",
        target=format_code(typed) if typed else "",
        checked="file and code" if sha256 and code else ("file" if sha256 else "code"),
        code=typed or "",
        result=result,
        document=match.pk if match is not None else None,
    )
    return Verdict(result=result, issued_at=match.created_at if match is not None else None)
