#!/usr/bin/env python3
"""Connects one device to Sealpost's WebSocket and prints every frame, for trying the
delivery protocol by hand (docs/api.md, "WebSocket delivery"). Standard library only: a
minimal RFC 6455 client and a minimal protobuf codec for sealpost.v1.ServerFrame and
ClientFrame. Not a client to build on: it keeps nothing and decrypts nothing.

  ws-listen.py [options] LOGIN PASSWORD_FILE

LOGIN is "<account_id>.<device_id>"; PASSWORD_FILE holds that device's password (the
folder make-registration.sh writes has one, named `password`).

Each frame is printed as a direction, its size and a hex dump of the protobuf bytes,
then in protobuf text format: by `protoc --decode` when protoc and
proto/sealpost/v1/websocket.proto are found, else by the built-in decoder (same output).
Deliveries are acknowledged (see --ack) and the Ack frame sent is printed the same way.

Options:
  --url URL        server base URL (default http://127.0.0.1:8080; https:// uses TLS)
  --query          send the credentials as ?login=...&password=... (percent-encoded)
                   instead of the Authorization header
  --ack MODE       batch (default): ack the backlog with one Ack at QueueEmpty (or after
                   0.5 s without a frame, so a backlog longer than the delivery window
                   keeps flowing), then each live delivery at once; each: ack every
                   delivery at once; none: never ack
  --deliveries N   close (1000) after N deliveries were received (and acked)
  --timeout S      close (1000) after S seconds without a frame from the server
  --hex N          hex-dump at most N bytes of each frame (default 48; 0 = all)
  --ws-bytes       also dump each received frame's WebSocket header bytes
"""

import argparse
import base64
import hashlib
import os
import select
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "proto"))
PROTO_FILE = "sealpost/v1/websocket.proto"
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


# --- protobuf: just enough of the wire format for websocket.proto -------------------------

def read_varint(buf, i):
    shift = value = 0
    while True:
        if i >= len(buf):
            raise ValueError("truncated varint")
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def fields(buf):
    """Yields (field_number, wire_type, value) of one message; value is int or bytes."""
    i = 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = read_varint(buf, i)
        elif wire == 2:
            n, i = read_varint(buf, i)
            if i + n > len(buf):
                raise ValueError("truncated field")
            value, i = bytes(buf[i:i + n]), i + n
        elif wire == 1:
            value, i = bytes(buf[i:i + 8]), i + 8
        elif wire == 5:
            value, i = bytes(buf[i:i + 4]), i + 4
        else:
            raise ValueError("unsupported wire type %d" % wire)
        yield number, wire, value


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def length_delimited(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def ack_frame(guids):
    """ClientFrame{ack: Ack{guids}}: field 1 of ClientFrame, repeated field 1 of Ack."""
    return length_delimited(1, b"".join(length_delimited(1, g) for g in guids))


def c_escape(data):
    """Bytes as protoc's text format prints them (C escapes, octal for the rest)."""
    out = []
    for b in data:
        c = chr(b)
        if c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif c in "\"'\\":
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append("\\%03o" % b)
    return "".join(out)


# Field names and kinds by message, as in websocket.proto.
SCHEMA = {
    "ServerFrame": {1: ("delivery", "Envelope"), 2: ("queue_empty", "QueueEmpty"),
                    3: ("keys_low", "KeysLow")},
    "ClientFrame": {1: ("ack", "Ack")},
    "Envelope": {1: ("guid", "bytes"), 2: ("source_account", "string"),
                 3: ("source_device", "uint"), 4: ("destination_device", "uint"),
                 5: ("type", "uint"), 6: ("content", "bytes"),
                 7: ("client_timestamp", "uint"), 8: ("server_timestamp", "uint")},
    "QueueEmpty": {},
    "KeysLow": {1: ("one_time_prekeys", "uint"), 2: ("pq_one_time_prekeys", "uint")},
    "Ack": {1: ("guids", "bytes")},
}


def text_format(message, buf, indent=""):
    lines = []
    for number, wire, value in fields(buf):
        name, kind = SCHEMA[message].get(number, (str(number), None))
        if kind in SCHEMA:
            lines.append("%s%s {" % (indent, name))
            lines.extend(text_format(kind, value, indent + "  "))
            lines.append(indent + "}")
        elif kind in ("bytes", "string") or wire == 2:
            lines.append('%s%s: "%s"' % (indent, name, c_escape(value)))
        else:
            lines.append("%s%s: %s" % (indent, name, value))
    return lines


def decode(message, buf):
    """Text format of buf, by protoc when available, else by the built-in decoder."""
    protoc = shutil.which("protoc")
    if protoc and os.path.exists(os.path.join(PROTO_DIR, PROTO_FILE)):
        run = subprocess.run([protoc, "--decode=sealpost.v1." + message, "-I", PROTO_DIR, PROTO_FILE],
                             input=buf, capture_output=True)
        if run.returncode == 0:
            return run.stdout.decode().rstrip("\n")
        return "(protoc could not decode this: %s)" % run.stderr.decode().strip()
    try:
        return "\n".join(text_format(message, buf))
    except (ValueError, KeyError) as e:
        return "(not a valid %s: %s)" % (message, e)


def delivery_guid(frame):
    """The guid of a ServerFrame delivery, or None for other frames."""
    for number, _, value in fields(frame):
        if number == 1:
            for n, _, v in fields(value):
                if n == 1:
                    return v
    return None


def is_queue_empty(frame):
    return any(number == 2 for number, _, _ in fields(frame))


# --- RFC 6455 client ---------------------------------------------------------------------

class Closed(Exception):
    def __init__(self, code, reason):
        super().__init__(code, reason)
        self.code, self.reason = code, reason


class WebSocket:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _recv_exact(self, n, timeout):
        deadline = None if timeout is None else time.monotonic() + timeout
        while len(self.buf) < n:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                    raise TimeoutError()
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed without a close frame")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send(self, opcode, payload):
        header = bytearray([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header.append(0x80 | n)
        elif n < 65536:
            header.append(0x80 | 126)
            header += struct.pack("!H", n)
        else:
            header.append(0x80 | 127)
            header += struct.pack("!Q", n)
        mask = os.urandom(4)  # a client masks every frame
        header += mask
        self.sock.sendall(bytes(header) + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def read_frame(self, timeout):
        head = self._recv_exact(2, timeout)
        n = head[1] & 0x7F
        ext = b""
        if n == 126:
            ext = self._recv_exact(2, None)
            n = struct.unpack("!H", ext)[0]
        elif n == 127:
            ext = self._recv_exact(8, None)
            n = struct.unpack("!Q", ext)[0]
        if head[1] & 0x80:
            raise ConnectionError("the server sent a masked frame")
        return head[0] & 0x80, head[0] & 0x0F, self._recv_exact(n, None), head + ext

    def read_message(self, timeout):
        """(opcode, payload, header bytes of the first frame) of the next data message;
        answers pings, raises Closed on a close frame."""
        message, opcode, first_header = b"", None, None
        while True:
            fin, op, payload, header = self.read_frame(timeout if opcode is None else None)
            if op == 0x9:  # ping
                print("<- ping (%d bytes); -> pong" % len(payload), flush=True)
                self.send(0xA, payload)
                continue
            if op == 0xA:  # pong
                continue
            if op == 0x8:  # close
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                reason = payload[2:].decode(errors="replace")
                try:
                    self.send(0x8, payload[:2])
                except OSError:
                    pass
                raise Closed(code, reason)
            if opcode is None:
                opcode, first_header = op, header
            message += payload
            if fin:
                return opcode, message, first_header

    def close(self, code=1000):
        self.send(0x8, struct.pack("!H", code))
        try:  # wait briefly for the server's close frame
            while True:
                _, op, _, _ = self.read_frame(2)
                if op == 0x8:
                    break
        except (TimeoutError, ConnectionError, OSError):
            pass
        self.sock.close()


def connect(url, login, password, in_query):
    parts = urllib.parse.urlsplit(url)
    secure = parts.scheme in ("https", "wss")
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (443 if secure else 80)
    target = parts.path.rstrip("/") + "/v1/websocket"
    headers = []
    if in_query:
        target += "?login=%s&password=%s" % (urllib.parse.quote(login, safe=""),
                                             urllib.parse.quote(password, safe=""))
    else:
        basic = base64.b64encode(("%s:%s" % (login, password)).encode()).decode()
        headers.append("Authorization: Basic " + basic)
    sock = socket.create_connection((host, port))
    if secure:
        sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
    key = base64.b64encode(os.urandom(16)).decode()
    request = ["GET %s HTTP/1.1" % target, "Host: %s:%d" % (host, port), "Upgrade: websocket",
               "Connection: Upgrade", "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13"]
    sock.sendall(("\r\n".join(request + headers) + "\r\n\r\n").encode())

    raw = b""
    while b"\r\n\r\n" not in raw:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("connection closed during the handshake")
        raw += chunk
    head, rest = raw.split(b"\r\n\r\n", 1)
    lines = head.decode(errors="replace").split("\r\n")
    status = lines[0]
    response_headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        response_headers[name.strip().lower()] = value.strip()
    if status.split(" ")[1:2] != ["101"]:
        length = int(response_headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = sock.recv(4096)
            if not chunk:
                break
            rest += chunk
        sys.stderr.write("upgrade refused: %s\n%s\n" % (status, rest[:length].decode(errors="replace")))
        if "retry-after" in response_headers:
            sys.stderr.write("Retry-After: %s\n" % response_headers["retry-after"])
        sys.exit(2)
    expected = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
    if response_headers.get("sec-websocket-accept") != expected:
        raise ConnectionError("bad Sec-WebSocket-Accept")
    ws = WebSocket(sock)
    ws.buf = rest
    return ws


def hex_dump(data, limit):
    shown = data if limit == 0 else data[:limit]
    text = " ".join("%02x" % b for b in shown)
    return text + (" …" if len(shown) < len(data) else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("login")
    parser.add_argument("password_file")
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--query", action="store_true")
    parser.add_argument("--ack", choices=("batch", "each", "none"), default="batch")
    parser.add_argument("--deliveries", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("--hex", type=int, default=48)
    parser.add_argument("--ws-bytes", action="store_true")
    args = parser.parse_args()
    with open(args.password_file) as f:
        password = f.read().strip()

    ws = connect(args.url, args.login, password, args.query)
    print("connected as %s" % args.login, flush=True)
    pending, backlog_done, received = [], False, 0

    def send_ack(guids):
        frame = ack_frame(guids)
        print("-> ClientFrame, %d bytes: %s" % (len(frame), hex_dump(frame, args.hex)))
        print(decode("ClientFrame", frame), flush=True)
        ws.send(0x2, frame)

    def enough():
        # Stop after --deliveries, once every delivery received has been acked.
        if not args.deliveries or received < args.deliveries or pending:
            return False
        ws.close()
        print("closed (1000)", flush=True)
        return True

    try:
        while True:
            try:
                # Unacked deliveries wait for QueueEmpty or a short lull, whichever is first:
                # the server sends at most messages.delivery_window before it needs acks.
                opcode, payload, header = ws.read_message(0.5 if pending else args.timeout)
            except TimeoutError:
                if pending:
                    send_ack(pending)
                    pending = []
                    if enough():
                        return 0
                    continue
                print("no frame for %gs; closing" % args.timeout, flush=True)
                ws.close()
                return 0
            if opcode != 0x2:
                print("<- opcode %d frame (%d bytes), not binary" % (opcode, len(payload)), flush=True)
                continue
            print("<- ServerFrame, %d bytes: %s" % (len(payload), hex_dump(payload, args.hex)))
            if args.ws_bytes:
                print("   WebSocket frame header: %s" % hex_dump(header, 0))
            print(decode("ServerFrame", payload), flush=True)
            guid = delivery_guid(payload)
            if guid is not None:
                received += 1
                if len(guid) == 16:
                    print("# guid %s" % uuid.UUID(bytes=guid), flush=True)
                if args.ack == "each" or (args.ack == "batch" and backlog_done):
                    send_ack([guid])
                elif args.ack == "batch":
                    pending.append(guid)
            elif is_queue_empty(payload):
                backlog_done = True
                if pending:
                    send_ack(pending)
                    pending = []
            if enough():
                return 0
    except Closed as c:
        print("<- close %d %r" % (c.code, c.reason), flush=True)
        return 0
    except KeyboardInterrupt:
        ws.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
