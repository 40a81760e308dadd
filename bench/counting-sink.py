#!/usr/bin/python3
"""Counting SMTP sink for the benchmarks (bench/run.sh).

Like tests/smtp-sink.py but writes nothing per message: it answers 250 to everything and
counts, so the disk is not what limits the send measurements. Both the engine and the raw
MailKit baseline send to this same sink. With --arrivals FILE, each accepted recipient
ending in @latency.test is appended to FILE as "<recipient> <unix time ns>" (for the
reaction-latency scenario). Prints "listening on PORT", and the count on exit.
"""

import argparse
import asyncio
import signal
import sys
import time

from aiosmtpd.smtp import SMTP


class CountingHandler:
    def __init__(self, arrivals):
        self.count = 0
        self.arrivals = arrivals

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        if self.arrivals is not None:
            now = time.time_ns()
            for rcpt in envelope.rcpt_tos:
                if rcpt.lower().endswith("@latency.test"):
                    self.arrivals.write(f"{rcpt} {now}\n")
        return "250 OK"


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--arrivals")
    args = parser.parse_args()
    arrivals = open(args.arrivals, "a", buffering=1) if args.arrivals else None
    handler = CountingHandler(arrivals)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.bench.test", enable_SMTPUTF8=True, decode_data=False, loop=loop),
        host=args.host, port=args.port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"listening on {args.port}", flush=True)
    await stop.wait()
    server.close()
    print(f"accepted {handler.count} messages", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
