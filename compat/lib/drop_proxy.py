# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# A TCP proxy in front of one broker that cuts connections the way a flaky network does: it forwards the
# client's requests whole, and now and then closes the connection instead of passing a response on, so the
# broker has acted on a request whose answer the client never sees. An idempotent producer must then retry
# without writing twice.
"""DropProxy(upstream_port).start() listens on 127.0.0.1:<port>; the broker must advertise that port
(advertised.listeners) so the client's every connection goes through it. `dropping` turns the cuts on
and off; `cuts` counts them. Frames are read by their Kafka size prefix; nothing else is parsed.
"""

import random
import socket
import struct
import sys
import threading


def _recv_exact(sock, n):
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def _read_frame(sock):
    head = _recv_exact(sock, 4)
    if head is None:
        return None
    body = _recv_exact(sock, struct.unpack(">i", head)[0])
    return None if body is None else head + body


class DropProxy:
    def __init__(self, upstream_port, drop_every=40, seed=7):
        """Cuts about one response in `drop_every`, never the first few of a connection (its handshake)."""
        self.upstream_port, self.drop_every = upstream_port, drop_every
        self.random = random.Random(seed)
        self.dropping = True
        self.cuts = 0
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.closed = False

    def start(self):
        self.listener.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def close(self):
        self.closed = True
        self.listener.close()

    def _should_cut(self, responses_so_far):
        with self.lock:
            if not self.dropping or responses_so_far < 3 or self.random.randrange(self.drop_every):
                return False
            self.cuts += 1
            return True

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError as e:
                print(f"drop_proxy: cannot reach the broker on {self.upstream_port}: {e}", file=sys.stderr)
                client.close()
                continue
            threading.Thread(target=self._pump_requests, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump_responses, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _close(*socks):
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def _pump_requests(self, client, upstream):
        try:
            while True:
                frame = _read_frame(client)
                if frame is None:
                    break
                upstream.sendall(frame)
        except OSError:
            pass
        self._close(client, upstream)

    def _pump_responses(self, client, upstream):
        responses = 0
        try:
            while True:
                frame = _read_frame(upstream)
                if frame is None or self._should_cut(responses):
                    break
                client.sendall(frame)
                responses += 1
        except OSError:
            pass
        self._close(client, upstream)
