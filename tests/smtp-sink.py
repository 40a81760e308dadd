#!/usr/bin/python3
"""SMTP sink for NurtureEngine tests.

Run with Debian's /usr/bin/python3 (package python3-aiosmtpd):

    /usr/bin/python3 tests/smtp-sink.py --port 2525 --dir /tmp/mail

Every accepted message is written atomically to DIR/<time_ns>-<uuid>.eml
(first to DIR/.<name>.tmp, then renamed), as the raw bytes received after
DATA, prefixed by three header lines:

    X-Envelope-To: <comma-separated RCPT TO addresses>
    X-Envelope-From: <MAIL FROM address>
    X-Envelope-Mail-Options: <MAIL FROM parameters, e.g. SMTPUTF8 BODY=8BITMIME>

SMTPUTF8 and 8BITMIME are advertised; --no-smtputf8 leaves SMTPUTF8 out
(a relay without RFC 6531 support: non-ASCII addresses are refused). Fault emulation by recipient domain
(the domain itself or any subdomain of it, case-insensitive):

    tempfail.test  RCPT -> 451 4.3.0 Try again later
    reject.test    RCPT -> 550 5.1.1 User unknown
    spam.test      DATA -> 554 5.7.1 Message rejected as spam (nothing written)
    closing.test   RCPT -> 421 4.3.2 Service shutting down (the connection is closed)
    drop.test      DATA -> the message is written, then the connection is dropped
                   without a reply (did the relay take it? the sender cannot know)
    sluggish.test  DATA -> 250, after SLUGGISH_SECONDS (a relay under load)
    slow.test      DATA -> the message is written, then the reply comes only after
                   SLOW_SECONDS (longer than any test's SMTP timeout)
    held.test      DATA -> the message is written to DIR/NAME.eml, then the reply (250)
                   waits until a file DIR/NAME.release exists (at most SLOW_SECONDS):
                   a send a test holds in flight for as long as it needs

Everything else is answered 250. Prints "listening on PORT" on stdout once
the socket accepts connections. Stops cleanly on SIGTERM / SIGINT.
"""

import argparse
import asyncio
import os
import signal
import sys
import time
import uuid

from aiosmtpd.smtp import SMTP

TEMPFAIL = "451 4.3.0 Try again later"
REJECT = "550 5.1.1 User unknown"
SPAM = "554 5.7.1 Message rejected as spam"
CLOSING = "421 4.3.2 Service shutting down"
SLOW_SECONDS = 60
SLUGGISH_SECONDS = 0.2


def _domain(address: str) -> str:
    address = address.strip().strip("<>")
    _, _, domain = address.rpartition("@")
    return domain.rstrip(".").lower()


def _in_domain(address: str, domain: str) -> bool:
    d = _domain(address)
    return d == domain or d.endswith("." + domain)


class SinkHandler:
    def __init__(self, directory: str) -> None:
        self.directory = directory

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if _in_domain(address, "tempfail.test"):
            return TEMPFAIL
        if _in_domain(address, "reject.test"):
            return REJECT
        if _in_domain(address, "closing.test"):
            # like a relay shutting down: the reply, then the connection is closed
            asyncio.get_running_loop().call_soon(server.transport.close)
            return CLOSING
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(_in_domain(a, "spam.test") for a in envelope.rcpt_tos):
            return SPAM
        raw = envelope.original_content
        if raw is None:
            raw = envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        mail_from = envelope.mail_from or ""
        prefix = (
            "X-Envelope-To: " + ",".join(envelope.rcpt_tos) + "\r\n"
            + "X-Envelope-From: " + mail_from + "\r\n"
            + "X-Envelope-Mail-Options: " + " ".join(envelope.mail_options) + "\r\n"
        ).encode("utf-8", errors="surrogateescape")
        name = f"{time.time_ns()}-{uuid.uuid4()}.eml"
        final = os.path.join(self.directory, name)
        tmp = os.path.join(self.directory, "." + name + ".tmp")
        try:
            with open(tmp, "wb") as f:
                f.write(prefix)
                f.write(raw)
            os.replace(tmp, final)
        except OSError as e:
            print(f"smtp-sink: cannot write {final}: {e}", file=sys.stderr, flush=True)
            try:
                os.unlink(tmp)
            except OSError:
                pass
            return "451 4.3.0 Local error in processing"
        if any(_in_domain(a, "drop.test") for a in envelope.rcpt_tos):
            server.transport.abort()
            return "250 OK"  # never reaches the client: the connection is gone
        if any(_in_domain(a, "slow.test") for a in envelope.rcpt_tos):
            await asyncio.sleep(SLOW_SECONDS)
        if any(_in_domain(a, "held.test") for a in envelope.rcpt_tos):
            deadline = time.monotonic() + SLOW_SECONDS
            release = os.path.splitext(final)[0] + ".release"
            while not os.path.exists(release) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        if any(_in_domain(a, "sluggish.test") for a in envelope.rcpt_tos):
            await asyncio.sleep(SLUGGISH_SECONDS)
        return "250 OK"


async def main() -> int:
    parser = argparse.ArgumentParser(description="SMTP sink for tests")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--no-smtputf8", action="store_true", help="do not advertise SMTPUTF8 (RFC 6531)")
    args = parser.parse_args()

    directory = os.path.abspath(args.dir)
    os.makedirs(directory, exist_ok=True)
    handler = SinkHandler(directory)
    loop = asyncio.get_running_loop()

    def factory():
        return SMTP(
            handler,
            hostname="sink.nurture.test",
            enable_SMTPUTF8=not args.no_smtputf8,
            decode_data=False,  # keeps raw bytes and advertises 8BITMIME
            loop=loop,
        )

    server = await loop.create_server(factory, host=args.host, port=args.port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"listening on {args.port}", flush=True)
    await stop.wait()
    server.close()
    try:
        await asyncio.wait_for(server.wait_closed(), timeout=2)
    except asyncio.TimeoutError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
