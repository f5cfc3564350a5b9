#!/usr/bin/python3
"""SMTP capture server for the tests: a real SMTP server (aiosmtpd) on loopback that
writes every message it receives into a directory as NNNNNN.eml (arrival order).

Each file is the message as the client sent it, preceded by two envelope headers,
X-MailFrom and X-RcptTo (comma separated), as aiosmtpd's own Message handler adds.
Files appear atomically (written under a dot name, then renamed), so a reader that
lists *.eml never sees half a message.

Usage: smtp_capture.py --dir DIR [--host 127.0.0.1] [--port 0] [--port-file FILE]
With --port 0 the system picks a free port; --port-file receives the port once bound.
Stops cleanly on SIGTERM or SIGINT.

Debian: runs with /usr/bin/python3 and the package python3-aiosmtpd.
"""

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path

from aiosmtpd.smtp import SMTP


class EmlWriter:
    """aiosmtpd handler: stores each message as the next NNNNNN.eml in a directory."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.seq = len(list(directory.glob("*.eml")))

    async def handle_DATA(self, server, session, envelope):
        self.seq += 1
        name = f"{self.seq:06d}.eml"
        head = (
            f"X-MailFrom: {envelope.mail_from}\r\n"
            f"X-RcptTo: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode("utf-8")
        tmp = self.directory / f".{name}.tmp"
        tmp.write_bytes(head + envelope.original_content)
        os.replace(tmp, self.directory / name)
        print(f"smtp_capture: {name} from {envelope.mail_from} to {envelope.rcpt_tos}",
              flush=True)
        return "250 Message accepted for delivery"


def write_port_file(path: str, port: int) -> None:
    """Write the bound port to path atomically."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


async def serve(args) -> None:
    """Listen until SIGTERM/SIGINT."""
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    handler = EmlWriter(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp-capture", enable_SMTPUTF8=True),
        host=args.host, port=args.port)
    port = server.sockets[0].getsockname()[1]
    if args.port_file:
        write_port_file(args.port_file, port)
    print(f"smtp_capture: listening on {args.host}:{port}, writing to {directory}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, help="where the .eml files go")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: pick a free port")
    parser.add_argument("--port-file", help="write the bound port here")
    asyncio.run(serve(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
