"""The malware scan (R-X-3) against a real ClamAV daemon: Debian's clamav-daemon, started by
these tests on a loopback port with a signature file they write from the EICAR test file's hash,
and the scanner failing closed when it can't give a verdict."""

from __future__ import annotations

import hashlib
import logging
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import translation

from portal.files.scanning import instream
from portal.files.uploads import UploadRejected, check_upload

from .conftest import skip_or_fail
from .loopback import free_port

CLAMD = "/usr/sbin/clamd"
# The EICAR anti-virus test file (https://www.eicar.org): harmless, detected by every scanner.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
STREAM_MAX = 1024 * 1024
MALWARE = "The file was refused because it contains a virus or other malware."
NOT_CHECKED = "could not be checked for viruses"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@dataclass
class Clamd:
    tcp_url: str
    unix_url: str
    log: Path


def _ping(address, family=socket.AF_INET) -> bool:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(address)
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def clamd():
    """A clamd of our own: 127.0.0.1 on a free port and a unix socket, a 1 MB stream limit, and
    one signature, the EICAR file's MD5 and size (computed here), in a temporary folder."""
    if shutil.which(CLAMD) is None:
        skip_or_fail("clamd (Debian clamav-daemon) is not installed")
    # A short folder: a unix socket's path must stay under 108 bytes.
    folder = Path(tempfile.mkdtemp(prefix="clamd-"))
    database = folder / "db"
    database.mkdir()
    (database / "eicar.hdb").write_text(
        f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Eicar-Test-Signature\n"  # noqa: S324
    )
    port = free_port()
    log = folder / "clamd.log"
    config = folder / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                "Foreground yes",
                f"TCPSocket {port}",
                "TCPAddr 127.0.0.1",
                f"LocalSocket {folder / 'clamd.sock'}",
                f"DatabaseDirectory {database}",
                f"TemporaryDirectory {folder}",
                f"PidFile {folder / 'clamd.pid'}",
                f"LogFile {log}",
                f"StreamMaxLength {STREAM_MAX // 1024}K",
                "MaxThreads 4",
                "SelfCheck 0",
                "",
            ]
        )
    )
    process = subprocess.Popen(  # noqa: S603 - our own daemon and config
        [CLAMD, f"--config-file={config}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not _ping(("127.0.0.1", port)):
            if process.poll() is not None:
                pytest.fail(
                    f"clamd stopped ({process.returncode}): {process.stderr.read().decode()}\n"
                    f"{log.read_text() if log.exists() else ''}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"clamd did not answer PING within 30 s:\n{log.read_text()}")
            time.sleep(0.1)
        yield Clamd(f"tcp://127.0.0.1:{port}", f"unix://{folder / 'clamd.sock'}", log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.UPLOAD_MAX_BYTES = 50 * 1024 * 1024
    settings.CLAMAV_TIMEOUT = 10
    with translation.override("en"):
        yield


def refusal(content: bytes, name: str) -> str:
    with pytest.raises(UploadRejected) as caught:
        check_upload(ContentFile(content, name=name))
    return str(caught.value)


def test_the_eicar_file_is_refused_by_clamd_R_X_3(clamd, settings, caplog):
    """R-X-3: the EICAR test file is refused as malware by a real clamd; the warning logged
    names the signature, never the file's content."""
    assert hashlib.md5(EICAR).hexdigest() == "44d88612fea8a8f36de82e1278abb02f"  # noqa: S324
    settings.CLAMAV_URL = clamd.tcp_url
    with caplog.at_level(logging.WARNING, logger="portal.files.scanning"):
        assert refusal(EICAR, "eicar.txt") == MALWARE
    assert "Eicar-Test-Signature" in caplog.text
    assert "EICAR-STANDARD" not in caplog.text


def test_a_clean_file_passes_clamd_and_comes_back_rewound_R_X_3(clamd, settings):
    """R-X-3: a clean file is scanned and accepted; the file is rewound after the scan."""
    settings.CLAMAV_URL = clamd.tcp_url
    content = PDF + b"%" + b"clean " * 20_000  # several INSTREAM chunks
    checked = check_upload(ContentFile(content, name="akte.pdf"))
    assert checked.content_type == "application/pdf"
    assert checked.file.read() == content
    assert instream(ContentFile(content), url=clamd.tcp_url, timeout=10) == "stream: OK"


def test_a_file_over_the_scanners_limit_is_refused_R_X_3(clamd, settings, caplog):
    """R-X-3: a file larger than clamd's StreamMaxLength can't be scanned, so it is refused
    (fail closed), although it is within the upload limit."""
    settings.CLAMAV_URL = clamd.tcp_url
    content = PDF + b"%" + b"x" * (2 * STREAM_MAX)
    with caplog.at_level(logging.WARNING, logger="portal.files.scanning"):
        message = refusal(content, "groot.pdf")
    assert NOT_CHECKED in message
    assert "scanner" in caplog.text


def test_a_unix_socket_url_works_too_R_X_3(clamd, settings):
    """R-X-3: CLAMAV_URL may name clamd's unix socket (unix:///path)."""
    settings.CLAMAV_URL = clamd.unix_url
    assert refusal(EICAR, "eicar.txt") == MALWARE
    assert check_upload(ContentFile(b"Gewoon tekst.\n", name="brief.txt")).size == 14


def test_an_unreachable_scanner_refuses_the_upload_R_X_3(settings, caplog):
    """R-X-3: when the configured scanner can't be reached the upload is refused with a clear
    message (fail closed), and a warning is logged."""
    settings.CLAMAV_URL = f"tcp://127.0.0.1:{free_port()}"
    with caplog.at_level(logging.WARNING, logger="portal.files.scanning"):
        message = refusal(PDF, "akte.pdf")
    assert message == (
        "The file could not be checked for viruses, so it was not accepted. Please try again later."
    )
    assert "ConnectionRefusedError" in caplog.text
    settings.CLAMAV_URL = "unix:///nonexistent/clamd.ctl"
    assert NOT_CHECKED in refusal(PDF, "akte.pdf")


def test_a_scanner_that_does_not_answer_in_time_refuses_the_upload_R_X_3(settings):
    """R-X-3: a scanner that accepts the connection but gives no verdict within
    CLAMAV_TIMEOUT refuses the upload."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # connections complete, nothing is ever read or answered
        settings.CLAMAV_URL = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        settings.CLAMAV_TIMEOUT = 1
        started = time.monotonic()
        assert NOT_CHECKED in refusal(PDF, "akte.pdf")
        assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "reply",
    [b"INSTREAM size limit exceeded. ERROR\0", b"stream: lstat() failed ERROR\0", b"PONG\0", b""],
)
def test_a_reply_other_than_ok_or_found_refuses_the_upload_R_X_3(settings, reply):
    """R-X-3: an error, an unexpected reply or none at all is not a verdict: refused."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def answer():
        connection, _ = server.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(reply)

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        settings.CLAMAV_URL = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        assert NOT_CHECKED in refusal(PDF, "akte.pdf")
    finally:
        thread.join(5)
        server.close()
