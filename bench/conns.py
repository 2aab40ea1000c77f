#!/usr/bin/env python3
"""Holds N idle keep-alive connections to a running Wheelhouse and reports its memory.

  bench/conns.py PID MAIN_PORT [OPS_PORT] [N=10000]

Each connection sends one GET /healthz and reads the answer, then stays open (idle, kept
alive). Prints the server's RSS before and after, the RSS per connection, and how long
/healthz takes on the main port (a new connection) and on the operations port meanwhile.
Needs an open-file limit above N (ulimit -n)."""
import socket, sys, time, urllib.request

def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0

def probe(port):
    t = time.time()
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
        return f"{(time.time() - t) * 1000:.1f} ms"
    except Exception as e:
        return f"failed after {(time.time() - t) * 1000:.0f} ms ({e})"

pid, port = int(sys.argv[1]), int(sys.argv[2])
ops = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] != "-" else None
n = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
before = rss_kib(pid)
held = []
t = time.time()
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n")
    s.recv(4096)
    held.append(s)
opened = time.time() - t
time.sleep(1)
after = rss_kib(pid)
print(f"{n} idle keep-alive connections opened in {opened:.1f} s")
print(f"RSS before {before / 1024:.1f} MiB, with them {after / 1024:.1f} MiB,"
      f" {(after - before) / n:.2f} KiB per connection")
print(f"/healthz on the main port meanwhile: {probe(port)}")
if ops:
    print(f"/healthz on the operations port meanwhile: {probe(ops)}")
for s in held:
    s.close()
