"""Reading LSP messages from stdin on the event loop itself.

pygls reads stdin through its thread pool: every header line and every body is a
hop to a worker thread and back. When stdin is a pipe of its own (as every editor
starts a server), the event loop can read it directly: no hop per message, and a
request's coroutine runs only after every message already received has been
handled, so a newer ``didChange`` or a ``$/cancelRequest`` is seen before the stale
work starts (see ``_server.py``). Anything else (a file, a terminal, Windows) keeps
pygls's own reader.
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from typing import BinaryIO


class PipeReader:
    """pygls's reader interface (``readline``, ``readexactly``) over an asyncio stream."""

    __slots__ = ("stream",)

    def __init__(self, stream: asyncio.StreamReader):
        self.stream = stream

    @classmethod
    async def open(cls, file: BinaryIO) -> "PipeReader":
        loop = asyncio.get_running_loop()
        stream = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), file)
        return cls(stream)

    async def readline(self) -> bytes:
        return await self.stream.readline()

    async def readexactly(self, n: int) -> bytes:
        try:
            return await self.stream.readexactly(n)
        except asyncio.IncompleteReadError:  # the editor closed the pipe mid-message
            return b""


def readable_on_loop(stdin: BinaryIO, stdout: BinaryIO) -> bool:
    """Whether ``stdin`` is a pipe or socket the event loop can watch without touching ``stdout``.

    Watching makes the file non-blocking; when stdin and stdout are one socket (or one
    terminal) that would make writes fail, so those keep the threaded reader.
    """
    if sys.platform == "win32":
        return False
    try:
        st_in, st_out = os.fstat(stdin.fileno()), os.fstat(stdout.fileno())
    except (AttributeError, OSError, ValueError):  # not a real file (a test's BytesIO)
        return False
    if not (stat.S_ISFIFO(st_in.st_mode) or stat.S_ISSOCK(st_in.st_mode)):
        return False
    return (st_in.st_dev, st_in.st_ino) != (st_out.st_dev, st_out.st_ino)


__all__ = ["PipeReader", "readable_on_loop"]
