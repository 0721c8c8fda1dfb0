#!/usr/bin/env python3
"""Bounded load on a running `evident serve`: attackers and staff at once.

For SECONDS seconds, 64 threads sign in with wrong passwords (each first fetches the sign-in
form for its CSRF cookie) while 32 staff clients, each with a personal access token, open cases
for synthetic personal numbers and list their unit's cases. A sampler reads the server's
resident memory (VmRSS) every 100 ms. Afterwards the unit's case list must have grown by
exactly the number of cases the server said it created (nothing lost, nothing doubled).

Answers by design under load are counted apart from errors: 401 (wrong password), 429
(throttled), 503 (busy: the hashing pool or the request limit is full). Errors are anything
else: 5xx other than 503, unexpected statuses, refused or reset connections.

EVIDENT_LOAD_ATTACKERS and EVIDENT_LOAD_STAFF change the thread counts (to tell what costs).

Usage: security_load.py BASE_URL SERVER_PID UNIT|auto TOKEN_FILE [SECONDS]
(auto: the unit of the first token's first grant)
Prints one JSON object with the figures; exits 1 when there were errors or a case was lost.
Standard library only.
"""

import datetime
import http.client
import json
import os
import re
import sys
import threading
import time
import urllib.parse

ATTACKERS = int(os.environ.get("EVIDENT_LOAD_ATTACKERS", "64"))
STAFF = int(os.environ.get("EVIDENT_LOAD_STAFF", "32"))


def luhn(digits):
    total = 0
    for i, d in enumerate(digits):
        p = d * 2 if i % 2 == 0 else d
        total += p // 10 + p % 10
    return (10 - total % 10) % 10


def synthetic_number(n):
    """The nth synthetic personal number: born n // 1000 days after 1930-01-01, birth number
    n % 1000 (as `evident bench import` makes them)."""
    birth = datetime.date(1930, 1, 1) + datetime.timedelta(days=n // 1000)
    serial = n % 1000
    body = f"{birth.year % 100:02}{birth.month:02}{birth.day:02}{serial:03}"
    check = luhn([int(c) for c in body])
    return f"{birth.year:04}{birth.month:02}{birth.day:02}-{serial:03}{check}"


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}

    def add(self, key):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1


def connection(base):
    url = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=30)


def request(base, method, path, body=None, headers=None):
    conn = connection(base)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        reply = conn.getresponse()
        data = reply.read()
        return reply.status, reply.getheaders(), data
    finally:
        conn.close()


def attacker(base, stop, tally, index):
    n = 0
    while not stop.is_set():
        n += 1
        try:
            status, headers, page = request(base, "GET", "/login")
            cookie = "; ".join(
                v.split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie"
            )
            field = re.search(rb'name="csrf" value="([^"]+)"', page)
            form = urllib.parse.urlencode(
                {
                    "email": f"guess{(index * 7 + n) % 20}@demo.evident.example",
                    "password": f"wrong-password-{n}",
                    "csrf": field.group(1).decode() if field else "",
                    "next": "/",
                }
            )
            status, _, _ = request(
                base,
                "POST",
                "/login",
                form,
                {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
            )
            tally.add(f"login {status}")
        except OSError as e:
            tally.add(f"login error {type(e).__name__}")


def staff(base, unit, token, stop, tally, created, index):
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    n = 0
    while not stop.is_set():
        n += 1
        try:
            if n % 2:
                number = synthetic_number(500_000 + index * 100_000 + n)
                status, _, _ = request(
                    base,
                    "POST",
                    f"/api/v1/units/{unit}/cases",
                    json.dumps({"personal_number": number}),
                    auth,
                )
                tally.add(f"open case {status}")
                if status == 201:
                    with created[1]:
                        created[0] += 1
            else:
                status, _, _ = request(base, "GET", f"/api/v1/units/{unit}/cases", None, auth)
                tally.add(f"list cases {status}")
        except OSError as e:
            tally.add(f"staff error {type(e).__name__}")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def sampler(pid, stop, peak):
    while not stop.is_set():
        try:
            peak[0] = max(peak[0], rss_kib(pid))
        except OSError:
            pass
        time.sleep(0.1)


def case_count(base, unit, token):
    count, after = 0, None
    while True:
        path = f"/api/v1/units/{unit}/cases?limit=1000"
        if after is not None:
            path += f"&after={after}"
        status, _, body = request(base, "GET", path, None, {"Authorization": f"Bearer {token}"})
        if status != 200:
            raise SystemExit(f"listing cases answered {status}: {body[:200]!r}")
        page = json.loads(body)
        count += len(page["cases"])
        after = page["next"]
        if after is None:
            return count


def main():
    base, pid, unit, token_file = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 20.0
    tokens = [t.strip() for t in open(token_file) if t.strip()]
    if len(tokens) < STAFF:
        raise SystemExit(f"{token_file} holds {len(tokens)} tokens, {STAFF} needed")
    if unit == "auto":
        status, _, body = request(
            base, "GET", "/api/v1/me", None, {"Authorization": f"Bearer {tokens[0]}"}
        )
        unit = json.loads(body)["grants"][0]["org"]
    before = case_count(base, unit, tokens[0])
    start_rss = rss_kib(pid)
    stop, tally, created, peak = threading.Event(), Tally(), [0, threading.Lock()], [start_rss]
    threads = [threading.Thread(target=sampler, args=(pid, stop, peak))]
    threads += [
        threading.Thread(target=attacker, args=(base, stop, tally, i)) for i in range(ATTACKERS)
    ]
    threads += [
        threading.Thread(target=staff, args=(base, unit, tokens[i], stop, tally, created, i))
        for i in range(STAFF)
    ]
    began = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    after = case_count(base, unit, tokens[0])
    by_design = {"login 401", "login 429", "login 503", "open case 201", "list cases 200",
                 "open case 503", "list cases 503"}
    errors = {k: v for k, v in tally.counts.items() if k not in by_design}
    figures = {
        "unit": unit,
        "seconds": round(elapsed, 1),
        "answers": dict(sorted(tally.counts.items())),
        "errors": errors,
        "cases_created_said": created[0],
        "cases_added_found": after - before,
        "rss_start_mib": round(start_rss / 1024, 1),
        "rss_peak_mib": round(peak[0] / 1024, 1),
    }
    print(json.dumps(figures, indent=2))
    lost = after - before != created[0]
    sys.exit(1 if errors or lost else 0)


if __name__ == "__main__":
    main()
