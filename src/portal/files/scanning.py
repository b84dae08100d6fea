"""Malware scan through a ClamAV daemon (INSTREAM), when ``CLAMAV_URL`` is configured (R-X-3).

``CLAMAV_URL`` is ``tcp://host:port`` or ``unix:///path/to/clamd.ctl``; empty means no scan.
The protocol is clamd's ``zINSTREAM``: the command ending in NUL, the file as chunks of a 4-byte
big-endian length followed by the data, a zero-length chunk to end it, and one reply ending in
NUL: ``stream: OK``, ``stream: <signature> FOUND`` or ``... ERROR``.

It fails closed: a reply other than OK, a size limit, an error, a connection failure or a
timeout (``CLAMAV_TIMEOUT`` seconds for each send or receive, the scan itself included) refuses
the file with ``UploadRejected``. What is logged never includes the file's content or name.
"""

from __future__ import annotations

import logging
import socket
import struct
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import File
from django.utils.translation import gettext as _

from .errors import UploadRejected

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
MAX_REPLY = 4096


class ScannerUnavailable(Exception):
    """The scanner could not give a verdict (unreachable, timeout, error reply)."""


class ScannerSizeLimit(ScannerUnavailable):
    """The file is larger than the scanner accepts (clamd's ``StreamMaxLength``)."""


def _connect(url: str, timeout: float) -> socket.socket:
    parts = urlsplit(url)
    if parts.scheme == "tcp":
        if not parts.hostname or not parts.port:
            raise ImproperlyConfigured("CLAMAV_URL must look like tcp://host:port")
        return socket.create_connection((parts.hostname, parts.port), timeout=timeout)
    if parts.scheme == "unix":
        path = parts.path or parts.netloc
        if not path:
            raise ImproperlyConfigured("CLAMAV_URL must look like unix:///path/to/clamd.ctl")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(path)
        except BaseException:
            sock.close()
            raise
        return sock
    raise ImproperlyConfigured("CLAMAV_URL must start with tcp:// or unix://")


def _read_reply(sock: socket.socket) -> str:
    """clamd's reply up to the terminating NUL (or the end of the connection)."""
    reply = b""
    while b"\0" not in reply and len(reply) < MAX_REPLY:
        data = sock.recv(MAX_REPLY)
        if not data:
            break
        reply += data
    return reply.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def instream(file, *, url: str, timeout: float) -> str:
    """Send ``file`` (from its start) to clamd and return its reply, e.g. ``stream: OK``.

    Raises ``OSError`` (including ``TimeoutError``) when the daemon cannot be reached or does
    not answer in time. If clamd closes the connection while the file is being sent (it does so
    after a size limit), its reply is still read and returned.
    """
    file.seek(0)
    with _connect(url, timeout) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendall(b"zINSTREAM\0")
            while True:
                data = file.read(CHUNK)
                if not data:
                    break
                sock.sendall(struct.pack(">I", len(data)) + data)
            sock.sendall(struct.pack(">I", 0))
        except (BrokenPipeError, ConnectionResetError):
            # clamd stops reading and answers early, e.g. "INSTREAM size limit exceeded".
            pass
        try:
            return _read_reply(sock)
        except ConnectionResetError:
            return ""


def ping(timeout: float = 2.0) -> bool:
    """True when the configured clamd answers PING with PONG (readiness check)."""
    url = settings.CLAMAV_URL
    if not url:
        return True
    try:
        with _connect(url, timeout) as sock:
            sock.sendall(b"zPING\0")
            return _read_reply(sock).strip() == "PONG"
    except (OSError, ScannerUnavailable):
        return False


def scan(file: File) -> None:
    """Refuse ``file`` with ``UploadRejected`` unless clamd says it is clean; a no-op when
    ``CLAMAV_URL`` is empty. The file is rewound afterwards."""
    url = settings.CLAMAV_URL
    if not url:
        return
    try:
        verdict = _verdict(file, url=url, timeout=settings.CLAMAV_TIMEOUT)
    except ScannerSizeLimit as exc:
        logger.warning("Upload refused: the virus scanner's size limit was reached (%s)", exc)
        raise UploadRejected(
            _(
                "The file could not be checked for viruses because it is larger than the virus "
                "scanner accepts, so it was not accepted. Send a smaller file."
            )
        ) from exc
    except ScannerUnavailable as exc:
        logger.warning("Upload refused: the virus scanner gave no verdict (%s)", exc)
        raise UploadRejected(
            _(
                "The file could not be checked for viruses, so it was not accepted. "
                "Please try again later."
            )
        ) from exc
    finally:
        file.seek(0)
    if verdict is not None:
        logger.warning("Upload refused: the virus scanner found %s", verdict)
        raise UploadRejected(
            _("The file was refused because it contains a virus or other malware.")
        )


def _verdict(file, *, url: str, timeout: float) -> str | None:
    """None for a clean file, the signature's name for an infected one; raises
    ``ScannerUnavailable`` (or ``ScannerSizeLimit``) when there is no verdict."""
    try:
        reply = instream(file, url=url, timeout=timeout)
    except TimeoutError as exc:
        raise ScannerUnavailable(f"no answer within {timeout} s from {url}") from exc
    except OSError as exc:
        raise ScannerUnavailable(f"{url}: {exc.__class__.__name__}: {exc}") from exc
    if reply == "stream: OK":
        return None
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return reply[len("stream: ") : -len(" FOUND")].strip() or "malware"
    if "size limit" in reply.lower():
        raise ScannerSizeLimit(reply)
    raise ScannerUnavailable(f"unexpected reply {reply[:200]!r}" if reply else "no reply")
