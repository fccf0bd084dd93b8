#!/usr/bin/env python3
"""An independent peer for the SocketDataFilter tests, using only Python's standard library.

It writes exactly what Python datalogd writes: json.dumps with its default separators and
escaping (non-ASCII as \\uXXXX, NaN and Infinity as bare tokens), encoded, then the
delimiter. It reads the way Python datalogd reads: split on the delimiter (or one message
per connection), decode, json.loads.

  send   --port P MESSAGE_JSON...   connect, send each message, close
  serve                             listen on 127.0.0.1:0, print "PORT n", print each message
  read   --port P --count N         connect, print N messages, exit
Received messages are printed one per line as json.dumps(..., sort_keys=True) of the
decoded value, so NaN shows as NaN, or as "RAW <hex>" when they do not decode.
"""
import argparse
import json
import socket
import sys
import threading


def delimiter_bytes(text):
    if text.lower() == "none":
        return None
    return bytes.fromhex(text)


def emit(message, encoding):
    try:
        value = json.loads(message.decode(encoding))
        print(json.dumps(value, sort_keys=True), flush=True)
    except (UnicodeDecodeError, ValueError):
        print("RAW " + message.hex(), flush=True)


def read_messages(conn, delimiter, encoding, limit=None):
    """Yields messages from one connection until EOF (or `limit` messages)."""
    count = 0
    buffer = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        if delimiter is None:
            buffer += chunk
            continue
        buffer += chunk
        while True:
            index = buffer.find(delimiter)
            if index < 0:
                break
            message, buffer = buffer[:index], buffer[index + len(delimiter):]
            emit(message, encoding)
            count += 1
            if limit is not None and count >= limit:
                return count
    if buffer:
        emit(buffer, encoding)
        count += 1
    return count


def cmd_send(args):
    delimiter = delimiter_bytes(args.delimiter)
    messages = [json.loads(m) for m in args.messages]
    if delimiter is None:
        for message in messages:
            with socket.create_connection(("127.0.0.1", args.port)) as conn:
                conn.sendall(json.dumps(message).encode(args.encoding))
                conn.shutdown(socket.SHUT_WR)
                conn.recv(1)
        return
    with socket.create_connection(("127.0.0.1", args.port)) as conn:
        payload = b"".join(
            json.dumps(m, ensure_ascii=not args.no_ascii).encode(args.encoding) + delimiter
            for m in messages
        )
        conn.sendall(payload)
        conn.shutdown(socket.SHUT_WR)
        conn.recv(1)


def cmd_serve(args):
    delimiter = delimiter_bytes(args.delimiter)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    print("PORT %d" % server.getsockname()[1], flush=True)

    def handle(conn):
        with conn:
            read_messages(conn, delimiter, args.encoding)
            if delimiter is None:
                print("EOF", flush=True)

    while True:
        conn, address = server.accept()
        if args.announce:
            # The client's own port: the same connection kept has the same one.
            print("CONNECTED %d" % address[1], flush=True)
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def cmd_read(args):
    delimiter = delimiter_bytes(args.delimiter)
    if delimiter is None:
        for _ in range(args.count):
            with socket.create_connection(("127.0.0.1", args.port)) as conn:
                read_messages(conn, None, args.encoding)
        return
    with socket.create_connection(("127.0.0.1", args.port)) as conn:
        read_messages(conn, delimiter, args.encoding, args.count)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("send", "serve", "read"):
        p = sub.add_parser(name)
        p.add_argument("--port", type=int, default=0)
        p.add_argument("--delimiter", default="17", help="hex bytes, or none")
        p.add_argument("--encoding", default="utf8")
        p.add_argument("--no-ascii", action="store_true", help="json.dumps(ensure_ascii=False)")
        p.add_argument("--count", type=int, default=1)
        p.add_argument("--announce", action="store_true", help="serve: print each client's port")
        p.add_argument("messages", nargs="*")
    args = parser.parse_args()
    {"send": cmd_send, "serve": cmd_serve, "read": cmd_read}[args.command](args)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
