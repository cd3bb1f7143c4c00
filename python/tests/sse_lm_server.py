"""A stand-in OpenAI-compatible chat server on loopback that streams its reply slowly, and
records what the client did: how many chunks it sent before the client hung up."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field

HEADER = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"


@dataclass
class SlowChatServer:
    """Replies `[[ ## answer ## ]]` then `chunks` words, `delay_s` apart."""

    chunks: int = 200
    delay_s: float = 0.02
    sent: list[int] = field(default_factory=list)  # chunks sent per request, once it ended
    hung_up: asyncio.Event = field(default_factory=asyncio.Event)
    port: int = 0

    async def start(self) -> asyncio.Server:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        return server

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        gone = asyncio.ensure_future(reader.read())  # b"" once the client closes
        writer.write(HEADER)
        sent = 0
        try:
            for text in ["[[ ## answer ## ]]\n", *(["tick "] * self.chunks)]:
                if gone.done():
                    break
                writer.write(_chunk(_event(text)))
                await writer.drain()
                sent += 1
                await asyncio.wait([gone], timeout=self.delay_s)
            else:
                writer.write(_chunk(b"data: [DONE]\n\n") + b"0\r\n\r\n")
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            self.sent.append(sent)
            if gone.done() and sent <= self.chunks:
                self.hung_up.set()
            gone.cancel()
            with contextlib.suppress(ConnectionError):
                writer.close()


def _event(text: str) -> bytes:
    chunk = {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "stand-in",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
    }
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)
