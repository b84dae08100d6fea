"""A request body made only while the app reads it, as an upload arrives over the network: the
test itself never holds the files. It measures what the app did with it: ``read_bytes``, how
much the app read, and ``most_on_disk``, the most the app had in ``watch_dir`` (its temporary
upload files) meanwhile."""

from __future__ import annotations

import os

PIECE = b"%PDF-1.4" + b"x" * (64 * 1024 - 8)  # no line breaks: readline can't help


def file_pieces(size: int):
    """``size`` bytes of a PDF-looking file, in pieces of 64 KiB."""
    sent = 0
    while sent < size:
        part = PIECE[: size - sent]
        sent += len(part)
        yield part


class StreamedBody:
    """``pieces`` (an iterator of bytes) of ``length`` bytes in all. ``look_every``: how many
    bytes read between two looks at ``watch_dir`` (0: at every read)."""

    def __init__(self, pieces, length: int, watch_dir, look_every: int = 0):
        self.length = length
        self.watch_dir = watch_dir
        self._pieces = iter(pieces)
        self._buffer = b""
        self._look_every = look_every
        self._next_look = 0
        self.read_bytes = 0
        self.most_on_disk = 0

    def _fill(self, wanted: int) -> None:
        while len(self._buffer) < wanted:
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._buffer += piece

    def _take(self, count: int) -> bytes:
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        self.read_bytes += len(data)
        if self.read_bytes >= self._next_look:
            self._next_look += self._look_every
            on_disk = sum(entry.stat().st_size for entry in os.scandir(self.watch_dir))
            self.most_on_disk = max(self.most_on_disk, on_disk)
        return data

    def read(self, size: int = -1) -> bytes:
        size = self.length if size is None or size < 0 else size
        self._fill(size)
        return self._take(size)

    def readline(self, size: int = -1) -> bytes:
        size = self.length if size is None or size < 0 else size
        while b"\n" not in self._buffer[:size]:
            before = len(self._buffer)
            self._fill(before + 1)
            if len(self._buffer) == before or len(self._buffer) >= size:
                break
        end = self._buffer.find(b"\n", 0, size)
        return self._take(end + 1 if end >= 0 else size)
