#!/usr/bin/env python3
"""Hostile documents against a running server, one request at a time, then four at
once in a loop while /healthz is timed. Prints, per document family, the largest
document's size and the slowest answer, and the /healthz p50/p99 alone and during.

    python3 bench/hostile_documents.py http://127.0.0.1:18182 [max_body_bytes]
"""
import http.client
import json
import statistics
import sys
import threading
import time
from urllib.parse import urlparse

URL = urlparse(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:18182")
LIMIT = int(sys.argv[2]) if len(sys.argv) > 2 else 256 * 1024


def fits(make, n):
    """The largest n (halving from n) whose document, as a JSON body, fits LIMIT."""
    while n > 1 and len(json.dumps(make(n))) > LIMIT:
        n = int(n * 0.9)
    return make(n)


def bomb(n):  # the reported stall: n operations spreading a doubling chain
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i+1} ...F{i+1} }}" for i in range(15))
    ops = "".join(f"query a{i}{{...F0}}" for i in range(n))
    return {"query": f"{ops} {chain} fragment F15 on Query {{ __typename }}"}


def bomb_named(n):
    body = bomb(n)
    body["operationName"] = "a0"
    return body


def fan_out(n):  # a fragment chain of n levels, each spreading the next 4 times
    chain = " ".join(f"fragment F{i} on Query {{ {'...F%d ' % (i + 1) * 4}}}" for i in range(n))
    return {"query": f"{{ ...F0 }} {chain} fragment F{n} on Query {{ __typename }}"}


def long_chain(n):  # n fragments, each spreading the next once
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i+1} }}" for i in range(n))
    return {"query": f"{{ ...F0 }} {chain} fragment F{n} on Query {{ __typename }}"}


def many_named(n):
    return {"query": "".join(f"query q{i} {{ me {{ id }} }} " for i in range(n)), "operationName": "q1"}


def aliases(n):
    return {"query": "{ " + "".join(f"a{i}: __typename " for i in range(n)) + "}"}


def deep(n):
    return {"query": "{ " + "me { manager { " * n + "id" + " } }" * n + " }"}


def wide_fields(n):
    return {"query": "{ me { " + "id " * n + "} }"}


FAMILIES = {
    "12k operations, doubling fragments": (bomb, 12_000),
    "the same, one operation named": (bomb_named, 12_000),
    "fragment fan-out x4": (fan_out, 40),
    "fragment chain": (long_chain, 20_000),
    "many named operations": (many_named, 20_000),
    "aliases": (aliases, 40_000),
    "deep nesting": (deep, 20_000),
    "one field repeated": (wide_fields, 80_000),
}


def post(body, conn=None):
    conn = conn or http.client.HTTPConnection(URL.hostname, URL.port, timeout=120)
    data = json.dumps(body)
    start = time.perf_counter()
    conn.request("POST", "/graphql", data, {"Content-Type": "application/json"})
    resp = conn.getresponse()
    text = resp.read()
    return time.perf_counter() - start, resp.status, text


def healthz_samples(seconds):
    conn = http.client.HTTPConnection(URL.hostname, URL.port, timeout=120)
    out, end = [], time.time() + seconds
    while time.time() < end:
        start = time.perf_counter()
        conn.request("GET", "/healthz")
        conn.getresponse().read()
        out.append((time.perf_counter() - start) * 1000)
        time.sleep(0.005)
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def main():
    docs = {name: fits(make, n) for name, (make, n) in FAMILIES.items()}
    worst = 0.0
    post({"query": "{ __typename }"})  # the server's first request pays for its warm-up
    print(f"{'family':40} {'bytes':>8} {'status':>6} {'p50 ms':>7} {'worst ms':>9}  answer")
    for name, body in docs.items():
        times = []
        for _ in range(7):
            secs, status, text = post(body)
            times.append(secs * 1000)
        worst = max(worst, max(times))
        msg = json.loads(text)["errors"][0]["message"][:60] if b"errors" in text else "ok"
        msg = msg.splitlines()[0]
        print(f"{name:40} {len(json.dumps(body)):>8} {status:>6} {statistics.median(times):>7.1f} {max(times):>9.1f}  {msg}")
    alone = healthz_samples(5)
    stop = threading.Event()

    def hammer(body):
        conn = http.client.HTTPConnection(URL.hostname, URL.port, timeout=120)
        while not stop.is_set():
            post(body, conn)

    bodies = list(docs.values())[:4]
    threads = [threading.Thread(target=hammer, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    time.sleep(0.5)
    during = healthz_samples(10)
    stop.set()
    for t in threads:
        t.join()
    print(f"worst refusal: {worst:.1f} ms (target <= 50)")
    print(f"/healthz alone:  p50 {statistics.median(alone):.2f} ms  p99 {pct(alone, 0.99):.2f} ms ({len(alone)} samples)")
    print(f"/healthz during four hostile loops: p50 {statistics.median(during):.2f} ms  p99 {pct(during, 0.99):.2f} ms ({len(during)} samples; target p99 <= 50)")


main()
