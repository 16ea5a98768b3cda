"""The load generator of `chat_fanout`, run as its own process pinned to the other core.

It opens N WebSocket clients to one room (a minimal client on asyncio protocols: frames are
parsed by hand, so the generator stays cheaper than the server it measures), lets S of them
send `send` frames at a fixed total rate, and times every `message` event each client receives
against the send time written into the body. Send and receive happen in this one process, so
one monotonic clock times both ends.

Reads a JSON job on stdin and prints one `RESULT {...}` line:
  {"host", "port", "path", "headers": [[...], ...] (one list per sender, then the listener's),
   "n", "senders", "fixed": [msgs/s, ...], "ramp": true|false, "step": s, "start": deliveries/s,
   "idle": K (open K idle sockets, print READY, wait for a line on stdin)}
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import resource
import socket
import sys
import time
from dataclasses import dataclass, field

import orjson

MESSAGE = b'{"type":"message"'
PASS_P99_MS = 100.0
PASS_DELIVERED = 0.995
DRAIN_SECONDS = 3.0
RUN = os.urandom(4).hex()  # client_ids must not repeat across runs against one server


@dataclass
class Step:
    sent: int = 0
    received: int = 0
    latencies: list[int] = field(default_factory=list)


class Client(asyncio.Protocol):
    def __init__(self, steps: dict[int, Step], request: bytes) -> None:
        self.steps = steps
        self.request = request
        self.buffer = bytearray()
        self.open: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed_code: int | None = None
        self.transport: asyncio.Transport | None = None
        self.handshaken = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        transport.write(self.request)  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.open.done():
            self.open.set_exception(ConnectionError("closed during handshake"))
        if self.closed_code is None:
            self.closed_code = 1006

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if not self.handshaken:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buffer[:end]).split(b"\r\n", 1)[0]
            del buffer[:end + 4]
            if b" 101 " not in status:
                self.open.set_exception(ConnectionError(status.decode(errors="replace")))
                return
            self.handshaken = True
            self.open.set_result(None)
        offset, size = 0, len(buffer)
        now = 0
        while size - offset >= 2:
            opcode = buffer[offset] & 0x0F
            length = buffer[offset + 1] & 0x7F
            start = offset + 2
            if length == 126:
                if size - offset < 4:
                    break
                length = int.from_bytes(buffer[offset + 2:offset + 4], "big")
                start = offset + 4
            elif length == 127:
                if size - offset < 10:
                    break
                length = int.from_bytes(buffer[offset + 2:offset + 10], "big")
                start = offset + 10
            end = start + length
            if end > size:
                break
            if opcode == 1:
                if buffer.startswith(MESSAGE, start):
                    marker = buffer.find(b"t=", start, end)
                    if marker > 0:
                        space = buffer.find(b" ", marker)
                        sent_at = int(buffer[marker + 2:space])
                        step_id = int(buffer[space + 3:buffer.find(b" ", space + 1)])
                        if not now:
                            now = time.monotonic_ns()
                        step = self.steps.get(step_id)
                        if step is not None:
                            step.received += 1
                            step.latencies.append(now - sent_at)
            elif opcode == 8:
                self.closed_code = int.from_bytes(buffer[start:start + 2], "big") if length >= 2 else 1005
            elif opcode == 9 and self.transport is not None:
                self.transport.write(frame(bytes(buffer[start:end]), opcode=0xA))
            offset = end
        if offset:
            del buffer[:offset]

    def send(self, payload: bytes) -> None:
        assert self.transport is not None
        self.transport.write(frame(payload))


def frame(payload: bytes, opcode: int = 1) -> bytes:
    """A masked client frame; the all-zero mask leaves the payload as it is."""
    length = len(payload)
    if length < 126:
        header = bytes((0x80 | opcode, 0x80 | length))
    elif length < 65536:
        header = bytes((0x80 | opcode, 0x80 | 126)) + length.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + length.to_bytes(8, "big")
    return header + b"\x00\x00\x00\x00" + payload


def handshake(host: str, port: int, path: str, headers: list[str]) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13", *headers, "", ""]
    return "\r\n".join(lines).encode()


async def connect_all(job: dict, count: int, steps: dict[int, Step], sender_headers: list[list[str]],
                      listener: list[str]) -> list[Client]:
    loop = asyncio.get_running_loop()
    clients: list[Client] = []
    semaphore = asyncio.Semaphore(64)

    async def one(index: int) -> Client:
        headers = sender_headers[index] if index < len(sender_headers) else listener
        async with semaphore:
            _, client = await loop.create_connection(
                lambda: Client(steps, handshake(job["host"], job["port"], job["path"], headers)),
                job["host"], job["port"])
            await asyncio.wait_for(client.open, 30)
            return client

    for start in range(0, count, 500):
        clients += await asyncio.gather(*(one(i) for i in range(start, min(count, start + 500))))
    return clients


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run_step(clients: list[Client], senders: int, rate: float, seconds: float, steps: dict[int, Step],
                   step_id: int, server_pid: int) -> dict:
    step = steps[step_id] = Step()
    padding = "x" * 96
    interval = 1.0 / rate
    server_before, own_before = cpu_seconds(server_pid), own_cpu()
    started = time.monotonic()
    next_at = started
    behind = 0.0
    count = int(rate * seconds)
    for i in range(count):
        now = time.monotonic()
        if next_at > now:
            await asyncio.sleep(next_at - now)
        else:
            behind = max(behind, now - next_at)
        body = f"t={time.monotonic_ns()} s={step_id} {padding}"
        clients[i % senders].send(orjson.dumps({"type": "send", "client_id": f"{RUN}-{step_id}-{i}",
                                                "body": body}))
        step.sent += 1
        next_at += interval
    elapsed = time.monotonic() - started
    server_cpu = (cpu_seconds(server_pid) - server_before) / elapsed
    own = (own_cpu() - own_before) / elapsed
    expected = step.sent * len(clients)
    for _ in range(int(DRAIN_SECONDS / 0.05)):
        if step.received >= expected:
            break
        await asyncio.sleep(0.05)
    latencies = sorted(step.latencies)
    p50 = latencies[len(latencies) // 2] / 1e6 if latencies else float("inf")
    p99 = latencies[int(len(latencies) * 0.99)] / 1e6 if latencies else float("inf")
    delivered = step.received / expected if expected else 0.0
    kept_rate = behind < 0.25 and elapsed < seconds * 1.1
    del steps[step_id]
    return {"msgs_per_s": rate, "deliveries_per_s": rate * len(clients), "sent": step.sent,
            "delivered": delivered, "p50_ms": p50, "p99_ms": p99, "server_cpu": server_cpu,
            "load_cpu": own, "kept_rate": kept_rate,
            "passed": p99 < PASS_P99_MS and delivered >= PASS_DELIVERED and kept_rate}


async def main() -> None:
    job = json.loads(sys.stdin.readline())
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    steps: dict[int, Step] = {}
    sender_headers = job["headers"][:-1]
    listener = job["headers"][-1]
    if job.get("idle"):
        clients = await connect_all(job, job["idle"], steps, [], listener)
        print("READY", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        for client in clients:
            client.transport.close()
        print("RESULT " + json.dumps({"idle": len(clients)}), flush=True)
        return
    n, senders = job["n"], job["senders"]
    clients = await connect_all(job, n, steps, sender_headers, listener)
    await asyncio.sleep(1.0)  # hello, backlog and presence settle
    result: dict = {"fixed": [], "ramp": []}
    step_id = 0
    for rate in job.get("fixed", []):
        step_id += 1
        result["fixed"].append(await run_step(clients, senders, rate, job["fixed_seconds"], steps, step_id,
                                              job["server_pid"]))
        print(f"    fixed {rate:6.0f} msg/s: {result['fixed'][-1]}", file=sys.stderr, flush=True)
    if job.get("ramp"):
        deliveries = job["start"]
        passed_at, failed_at = 0.0, 0.0
        tried = 0
        while tried < job.get("max_steps", 12):
            tried += 1
            if failed_at and passed_at:
                if failed_at / passed_at < 1.15:
                    break
                deliveries = (passed_at + failed_at) / 2
            step_id += 1
            outcome = await run_step(clients, senders, deliveries / n, job["step"], steps, step_id,
                                     job["server_pid"])
            result["ramp"].append(outcome)
            print(f"    ramp {deliveries:8.0f} deliveries/s: p99 {outcome['p99_ms']:.1f} ms, delivered "
                  f"{outcome['delivered']:.4f}, server cpu {outcome['server_cpu']:.2f}, "
                  f"load cpu {outcome['load_cpu']:.2f} -> {'pass' if outcome['passed'] else 'FAIL'}",
                  file=sys.stderr, flush=True)
            if outcome["passed"]:
                passed_at = max(passed_at, deliveries)
                if not failed_at:
                    deliveries *= 2
            else:
                failed_at = deliveries if not failed_at else min(failed_at, deliveries)
                if not passed_at:
                    deliveries /= 2
                    if deliveries < 1000:
                        break
                await asyncio.sleep(2.0)  # let a saturated server drain before the next step
        result["max_sustained"] = passed_at
    codes = [c.closed_code for c in clients if c.closed_code is not None]
    result["closed"] = {str(code): codes.count(code) for code in set(codes)}
    if codes:
        print(f"    sockets closed by the server: {result['closed']}", file=sys.stderr, flush=True)
    for client in clients:
        client.transport.close()
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main())
