#!/usr/bin/python3
"""The gateway's memory under large request bodies, measured against the real jar.

Starts a standalone node (a cluster of its own, API keys off) from the jar on 127.0.0.1, serving the model
repository bench/edge/MakeRepository.java writes (identity_fp32: FP32 [-1, 3], no batch limit), then runs the
scenarios one after the other, each on a fresh node, and prints for each the answers the clients got and the
process's resident memory before and at its peak (VmRSS sampled every 20 ms, and the kernel's high-water mark
VmHWM, reset when the scenario starts):

  over-limit   200 concurrent bodies of 70 MiB (Content-Length over gateway.max_body_bytes = 64 MiB), sent
               whole by clients that read no answer before they are done
  gzip-bomb    one 1 MiB gzip body that inflates to 1 GiB (Content-Encoding: gzip)
  chunked      200 concurrent chunked bodies (no Content-Length) of 70 MiB, sent the same way
  valid        25 concurrent valid 60 MiB requests (binary tensor data, 60 MiB back); a 503 is retried after
               its Retry-After, as a client should

Only the Python standard library; run with the system Python from the repository root:

  /usr/bin/python3 bench/edge/edge_memory.py [--jar gateway/target/maas-gateway.jar] [--port 29000]
      [--cluster-port 7301] [--set key=value]... [scenario...]
"""
import argparse
import gzip
import json
import os
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter

MIB = 1 << 20


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class RssSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.02)


def status_of(data):
    """The status code of an HTTP/1.1 response's first line, or None."""
    if data.startswith(b"HTTP/1.1 "):
        return int(data[9:12])
    return None


def read_response(sock, deadline):
    """Reads one whole response (Content-Length framed); returns (status, headers, body length)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        sock.settimeout(max(0.1, deadline - time.time()))
        chunk = sock.recv(65536)
        if not chunk:
            return status_of(buf) or "closed", {}, 0
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
    length = int(headers.get("content-length", "0"))
    got = len(rest)
    while got < length:
        sock.settimeout(max(0.1, deadline - time.time()))
        chunk = sock.recv(4 * MIB)
        if not chunk:
            break
        got += len(chunk)
    return status_of(buf), headers, got


def upload(port, path, headers, body_parts, timeout=120, blind=False):
    """Sends a request whose body comes from body_parts (an iterable of bytes-like) and reads its answer. A careful
    client (curl) stops sending when the server answers early; a blind one (many simple clients, and the worst
    case for the server) sends the whole body first. Returns the status (or what ended the exchange) and the
    response headers."""
    deadline = time.time() + timeout
    sock = socket.create_connection(("127.0.0.1", port))
    try:
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall(head.encode() + b"\r\n")
        for part in body_parts:
            view = memoryview(part)
            while len(view):
                readable, writable, _ = select.select([sock], [sock], [], max(0.1, deadline - time.time()))
                if readable and not blind:  # answered before the body was sent
                    status, h, _ = read_response(sock, deadline)
                    return status, h
                if not writable and not readable:
                    return "timeout", {}
                if not writable:
                    continue
                try:
                    sent = sock.send(view[:256 * 1024])
                except (BrokenPipeError, ConnectionResetError):
                    try:
                        status, h, _ = read_response(sock, deadline)
                        return status or "reset", h
                    except OSError:
                        return "reset", {}
                view = view[sent:]
        status, h, _ = read_response(sock, deadline)
        return status, h
    except (ConnectionResetError, BrokenPipeError):
        return "reset", {}
    except socket.timeout:
        return "timeout", {}
    finally:
        sock.close()


ZEROS = bytes(4 * MIB)


def zeros(total):
    left = total
    while left > 0:
        n = min(left, len(ZEROS))
        yield ZEROS[:n]
        left -= n


def chunked(total, size=MIB):
    for part in zeros(total):
        for at in range(0, len(part), size):
            piece = part[at:at + size]
            yield b"%x\r\n" % len(piece)
            yield piece
            yield b"\r\n"
    yield b"0\r\n\r\n"


def concurrently(n, task):
    results = [None] * n

    def run(i):
        results[i] = task(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def over_limit(port):
    size = 70 * MIB
    return concurrently(200, lambda i: upload(port, "/v2/models/identity_fp32/infer",
                                              {"Content-Length": size, "Content-Type": "application/json"},
                                              zeros(size), blind=True)[0])


def chunked_over_limit(port):
    return concurrently(200, lambda i: upload(port, "/v2/models/identity_fp32/infer",
                                              {"Transfer-Encoding": "chunked"}, chunked(70 * MIB),
                                              blind=True)[0])


def gzip_bomb(port):
    bomb = gzip.compress(bytes(1024 * MIB), compresslevel=9)
    print(f"  (the gzip body: {len(bomb)} bytes, inflating to 1 GiB)")
    return [upload(port, "/v2/models/identity_fp32/infer",
                   {"Content-Length": len(bomb), "Content-Encoding": "gzip"}, [bomb])[0]]


def valid_60mib(port):
    rows = 60 * MIB // 12
    header = json.dumps({"inputs": [{"name": "INPUT0", "shape": [rows, 3], "datatype": "FP32",
                                     "parameters": {"binary_data_size": rows * 12}}],
                         "outputs": [{"name": "OUTPUT0", "parameters": {"binary_data": True}}]}).encode()
    tensor = struct.pack("<f", 1.5) * (rows * 3)
    retries = Counter()

    def one(i):
        while True:
            status, headers = upload(port, "/v2/models/identity_fp32/infer",
                                     {"Content-Length": len(header) + len(tensor),
                                      "Content-Type": "application/octet-stream",
                                      "Inference-Header-Content-Length": len(header)}, [header, tensor], timeout=300)
            if status == 503 and "retry-after" in headers:
                retries[status] += 1
                time.sleep(float(headers["retry-after"]))
                continue
            return status

    print(f"  (each body: {len(header) + len(tensor)} bytes)")
    results = concurrently(25, one)
    print(f"  503 + Retry-After answers retried: {sum(retries.values())}")
    return results


SCENARIOS = {"over-limit": over_limit, "gzip-bomb": gzip_bomb, "chunked": chunked_over_limit, "valid": valid_60mib}


def start_node(args, work, repo, name):
    data = os.path.join(work, "data-" + name)
    command = ["java", *args.java_option, "-jar", args.jar, "--http-port", str(args.port),
               "--set", f"gateway.grpc_port={args.port + 1}", "--set", f"gateway.admin_port={args.port + 2}",
               "--set", "gateway.auth_enabled=false", "--set", f"gateway.data_dir={data}",
               "--set", "worker.metrics_port=0", "--cluster-name", f"edge-memory-{os.getpid()}",
               "--cluster-port", str(args.cluster_port), "--model-repository", repo]
    for s in args.set:
        command += ["--set", s]
    log = open(os.path.join(work, f"node-{name}.log"), "w")
    node = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while True:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{args.port}/v2/health/ready", timeout=2).status == 200:
                break
        except OSError:
            pass
        if time.time() > deadline or node.poll() is not None:
            stop_node(node)
            sys.exit(f"the node did not get ready; see {work}/node-{name}.log")
        time.sleep(0.25)
    for _ in range(20):  # warm up the request path
        upload(args.port, "/v2/models/identity_fp32/infer", {"Content-Length": 77},
               [b'{"inputs":[{"name":"INPUT0","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}'])
    return node, command


def stop_node(node):
    node.terminate()
    try:
        node.wait(30)
    except subprocess.TimeoutExpired:
        node.kill()
        node.wait()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jar", default="gateway/target/maas-gateway.jar")
    p.add_argument("--port", type=int, default=29000)
    p.add_argument("--cluster-port", type=int, default=7301)
    p.add_argument("--set", action="append", default=[], help="a configuration key for the node, key=value")
    p.add_argument("--java-option", action="append", default=[], help="a JVM option for the node, e.g. -Xmx1g")
    p.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="maas-edge-memory-")
    repo = os.path.join(work, "models")
    subprocess.run(["java", "-cp", args.jar, os.path.join(os.path.dirname(__file__), "MakeRepository.java"), repo],
                   check=True)
    rows = []
    try:
        for name in args.scenarios:
            node, command = start_node(args, work, repo, name)  # a fresh node each: scenarios do not add up
            if not rows:
                print("node:", " ".join(command))
            try:
                time.sleep(2)
                before = rss_kib(node.pid)
                with open(f"/proc/{node.pid}/clear_refs", "w") as f:
                    f.write("5")  # resets VmHWM to the current RSS
                sampler = RssSampler(node.pid)
                sampler.start()
                t0 = time.time()
                print(f"{name}:", flush=True)
                answers = SCENARIOS[name](args.port)
                elapsed = time.time() - t0
                sampler.running = False
                sampler.join()
                peak = max(sampler.peak, rss_kib(node.pid, "VmHWM"))
                summary = ", ".join(f"{k}: {v}" for k, v in sorted(Counter(map(str, answers)).items()))
                rows.append((name, summary, before, peak, elapsed))
                print(f"  answers {summary}; RSS {before / 1024:.0f} MiB before, peak {peak / 1024:.0f} MiB;"
                      f" {elapsed:.1f} s", flush=True)
            finally:
                stop_node(node)
        print()
        print("| scenario | answers | RSS before | peak RSS | seconds |")
        print("|---|---|---:|---:|---:|")
        for name, summary, before, peak, elapsed in rows:
            print(f"| {name} | {summary} | {before / 1024:.0f} MiB | {peak / 1024:.0f} MiB | {elapsed:.1f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
