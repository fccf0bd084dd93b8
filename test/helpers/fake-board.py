#!/usr/bin/env python3
"""Plays a datalogd logging board on a serial device (one end of a socat pty pair).

Writes the protocol of docs/serial-protocol.md: one JSON object per line, CR LF at the end,
a header (board, timestamp, message) on every line, measurement lines at --rate per second
and keep-alives every --keepalive seconds. Every measurement carries a counter record whose
value counts up from --start, so a reader can check order and loss. With --garbage-after N,
one line that is not JSON follows the N-th measurement; SIGUSR1 asks for one such line at
once (a test sends it when the reader is known to be listening). Standard library only.

Exit status: 0 when done or stopped by SIGTERM/SIGINT, 3 when the device went away.
"""

import argparse
import json
import os
import signal
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--port", required=True, help="device to write to")
    p.add_argument("--board", default="A", help="board id (BOARD_ID_STRING)")
    p.add_argument("--rate", type=float, default=20.0, help="measurement lines per second")
    p.add_argument("--keepalive", type=float, default=0.5, help="seconds between keep-alives; 0: none")
    p.add_argument("--duration", type=float, default=0.0, help="seconds to run; 0: until stopped")
    p.add_argument("--count", type=int, default=0, help="measurement lines to write; 0: no limit")
    p.add_argument("--start", type=int, default=0, help="first counter value")
    p.add_argument("--garbage-after", type=int, default=-1, help="write one bad line after this many measurements")
    return p.parse_args()


class Stop(Exception):
    pass


GARBAGE_REQUESTS = []


def on_signal(_signum, _frame):
    raise Stop()


def on_usr1(_signum, _frame):
    GARBAGE_REQUESTS.append(1)


def measurement(board, millis, n):
    data = [
        {"type": "counter", "source": board, "id": f"{board}_seq", "value": str(n)},
        {"type": "temperature", "source": board, "id": f"{board}_T0", "value": "20.25", "units": "C"},
        {"type": "analog", "source": board, "id": f"{board}_A0", "value": str(n % 1024)},
        {"type": "digital", "source": board, "id": f"{board}_D4", "value": str(n % 2)},
    ]
    return {"board": board, "timestamp": str(millis), "message": "measurement", "data": data}


def main():
    args = parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGUSR1, on_usr1)
    fd = os.open(args.port, os.O_RDWR | os.O_NOCTTY)
    started = time.monotonic()
    next_keepalive = started
    written = keepalives = garbage = 0
    status = 0

    def write(obj_or_text):
        text = obj_or_text if isinstance(obj_or_text, str) else json.dumps(obj_or_text, separators=(",", ":"))
        os.write(fd, (text + "\r\n").encode("utf-8"))

    try:
        while True:
            now = time.monotonic()
            if args.duration > 0 and now - started >= args.duration:
                break
            if args.count > 0 and written >= args.count:
                break
            millis = int((now - started) * 1000)
            if args.keepalive > 0 and now >= next_keepalive:
                write({"board": args.board, "timestamp": str(millis), "message": "keepalive"})
                keepalives += 1
                next_keepalive += args.keepalive
            write(measurement(args.board, millis, args.start + written))
            written += 1
            if written == args.garbage_after or GARBAGE_REQUESTS:
                GARBAGE_REQUESTS.clear()
                write('{"board":"A","timestamp":"12","message":"measurement","data":[{"ty')
                garbage += 1
            due = started + written / args.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    except Stop:
        pass
    except OSError as err:
        print(f"fake-board: device gone: {err}", file=sys.stderr)
        status = 3
    finally:
        try:
            os.close(fd)
        except OSError:
            pass
    elapsed = time.monotonic() - started
    print(
        f"fake-board: wrote {written} measurements, {keepalives} keep-alives, {garbage} bad line(s) in {elapsed:.2f} s",
        file=sys.stderr,
        flush=True,
    )
    return status


if __name__ == "__main__":
    sys.exit(main())
