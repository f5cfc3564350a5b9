#!/usr/bin/python3
"""An SMTP server that can be told to refuse or to be slow, for the fault tests: the capture
server of tests/support (every accepted message a NNNNNN.eml in --dir), plus two control files
in that folder, read on every message:
  .refuse  present: every RCPT TO is answered with its content (e.g. "451 4.3.0 ..."), and a
           line is appended to .refused
  .delay   seconds to wait before answering the end of DATA (the message is stored first, as a
           real mail server commits before it says 250)

Usage: smtp_fault.py --dir DIR --port-file FILE   (listens on 127.0.0.1, a free port)
Debian: /usr/bin/python3 and python3-aiosmtpd.
"""
import argparse
import asyncio
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import smtp_capture  # noqa: E402


class FaultWriter(smtp_capture.EmlWriter):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refuse = self.directory / ".refuse"
        if refuse.exists():
            with open(self.directory / ".refused", "a") as f:
                f.write(address + "\n")
            return refuse.read_text().strip()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        delay = self.directory / ".delay"
        if delay.exists():
            await asyncio.sleep(float(delay.read_text()))
        return answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    smtp_capture.EmlWriter = FaultWriter  # serve() makes the handler by this name
    asyncio.run(smtp_capture.serve(argparse.Namespace(dir=args.dir, host="127.0.0.1", port=0,
                                                      port_file=args.port_file)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
