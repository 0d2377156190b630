#!/usr/bin/env python3
"""UDP helpers the OpenFlow system test runs inside its namespaces (stdlib only).

  udp.py ask SERVER PORT HEX [SRC_PORT]   send one datagram (IPv4 or IPv6), print the answer as hex (or "timeout")
  udp.py send SRC_IP SRC_PORT DST DST_PORT COUNT   send COUNT small datagrams from a fixed source port
  udp.py tcp DST DST_PORT                 open a TCP connection, send a line; exit 0 if it was accepted
  udp.py listen udp|tcp PORT FILE         append one line per datagram or connection received to FILE
"""
import socket
import sys


def ask(server, port, payload, src_port=0):
    v6 = ":" in server
    with socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("::" if v6 else "0.0.0.0", src_port))
        s.settimeout(3)
        for _ in range(3):
            s.sendto(payload, (server, port))
            try:
                data, _ = s.recvfrom(2048)
                print(data.hex())
                return 0
            except socket.timeout:
                continue
    print("timeout")
    return 1


def send(src_ip, src_port, dst, dst_port, count):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((src_ip, src_port))
        for i in range(count):
            s.sendto(b"probe %d" % i, (dst, dst_port))
    return 0


def tcp(dst, dst_port):
    try:
        with socket.create_connection((dst, dst_port), timeout=2) as s:
            s.sendall(b"hello\n")
        print("connected")
        return 0
    except OSError as e:
        print("refused: %s" % e)
        return 1


def listen(kind, port, path):
    if kind == "udp":
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("0.0.0.0", port))
            while True:
                data, peer = s.recvfrom(2048)
                with open(path, "a") as f:
                    f.write("udp %s:%d %s\n" % (peer[0], peer[1], data.decode(errors="replace")))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", port))
        s.listen(16)
        while True:
            conn, peer = s.accept()
            with conn, open(path, "a") as f:
                f.write("tcp %s:%d\n" % peer)
    return 0


if __name__ == "__main__":
    a = sys.argv
    if a[1] == "ask":
        sys.exit(ask(a[2], int(a[3]), bytes.fromhex(a[4]), int(a[5]) if len(a) > 5 else 0))
    if a[1] == "send":
        sys.exit(send(a[2], int(a[3]), a[4], int(a[5]), int(a[6])))
    if a[1] == "tcp":
        sys.exit(tcp(a[2], int(a[3])))
    if a[1] == "listen":
        sys.exit(listen(a[2], int(a[3]), a[4]))
    sys.exit(2)
