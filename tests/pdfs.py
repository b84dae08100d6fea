"""Small valid PDFs for tests that publish one: since the seal (R-SIG-1) a PDF the office
publishes must be a real PDF (one page, a cross-reference table), or it is refused."""

from __future__ import annotations

from portal_dev.management.commands.demo import one_page_pdf


def minimal_pdf(text: str = "Klantportaal test") -> bytes:
    """A one-page PDF showing ``text`` (ASCII, uncompressed), with a correct xref table: the
    demo data's own maker."""
    return one_page_pdf(text)


PDF = minimal_pdf()
