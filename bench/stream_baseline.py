"""Baseline for bench/stream.ts: a raw grpcio (grpc.aio) Run server that writes one message
per event, with no batching, no threads and no DSPy. It serves the same contract on a Unix
socket, so the same connect-node client reads it.

  start.command "flood" {"n": N}     -> N messages of one token event each, then done
  start.command "pingpong" {"n": N}  -> N tool calls, each waiting for the client's tool
                                        result (a raw bidi ping-pong, for bench/tools.ts);
                                        done carries each round trip in ms
  anything else                      -> one token event, then done
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time

import grpc

from dspy_connect.v1 import run_pb2, worker_pb2_grpc


class Baseline(worker_pb2_grpc.WorkerServiceServicer):
    async def Run(self, request_iterator, context):
        requests = aiter(request_iterator)
        first = await anext(requests)
        start = first.start
        n = 1
        if start.WhichOneof("operation") == "command" and start.command.command == "pingpong":
            await self.pingpong(requests, context, int(json.loads(start.command.args_json or b"{}").get("n", 1)))
            return
        if start.WhichOneof("operation") == "command" and start.command.command == "flood":
            n = int(json.loads(start.command.args_json or b"{}").get("n", 1))
        for i in range(1, n + 1):
            event = run_pb2.Event(seq=i, time_ms=time.time() * 1000, token=run_pb2.TokenEvent(field="answer", delta="x"))
            await context.write(run_pb2.RunResponse(events=run_pb2.EventBatch(events=[event])))
        await context.write(run_pb2.RunResponse(done=run_pb2.RunDone(result_json=b"{}", event_count=n)))

    async def pingpong(self, requests, context, n: int) -> None:
        times = []
        for i in range(n):
            started = time.perf_counter()
            call = run_pb2.ToolCall(call_id=f"c{i}", tool_name="ping", args_json=json.dumps({"i": i}).encode())
            await context.write(run_pb2.RunResponse(tool_call=call))
            await anext(requests)
            times.append((time.perf_counter() - started) * 1000)
        result = json.dumps({"calls": n, "ms": times}).encode()
        await context.write(run_pb2.RunResponse(done=run_pb2.RunDone(result_json=result)))


async def main() -> None:
    server = grpc.aio.server()
    worker_pb2_grpc.add_WorkerServiceServicer_to_server(Baseline(), server)
    path = os.path.join(tempfile.mkdtemp(prefix="dc-bench-"), "baseline.sock")
    server.add_insecure_port(f"unix:{path}")
    await server.start()
    print(json.dumps({"socket": path, "pid": os.getpid()}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes stdin
    await server.stop(0)


if __name__ == "__main__":
    asyncio.run(main())
