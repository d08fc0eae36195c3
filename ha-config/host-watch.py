#!/usr/bin/env python3
"""The database host watch of ha-config/holdfast-pair (why it exists: ha-config/README.md, "The database host watch").

Probes the Patroni leader's host every 100 ms: its Patroni REST API (any HTTP answer) or its PostgreSQL (an answer to
an SSLRequest). Once neither has answered for --lost-after-ms, it deletes the leader key in etcd (v2 API) with a
compare-and-delete on the leader's name, and wakes every other member's Patroni (PATCH /config that changes nothing:
Patroni runs its HA loop at once), so the sync standby promotes itself without waiting for the key's ttl. Nothing
while the cluster is paused. Python's standard library only (it runs beside Patroni, which needs python3 anyway);
probes in-process, not curl per probe: under a load average of 20 a shell loop spawning curl took ~0.7 s a round.

  host-watch.py --etcd 127.0.0.1:2379 --scope holdfast --member pg-1:8008:5433 --member pg-2:8009:5434 \
      --lost-after-ms 1000 --stop-file RUN/stopping
"""
import argparse
import datetime
import http.client
import json
import os
import socket
import struct
import sys
import time
import urllib.parse

PROBE_TIMEOUT = 0.25
ROUND = 0.1
# PostgreSQL's SSLRequest: length 8, code 80877103; a live server answers one byte, 'S' or 'N'
SSL_REQUEST = struct.pack("!ii", 8, 80877103)


def say(message):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M:%S.%f")[:-3]
    print(f"{now} {message}", flush=True)


def request(host_port, method, path, body=None, timeout=0.5):
    host, port = host_port.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def postgres_answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=PROBE_TIMEOUT) as s:
            s.settimeout(PROBE_TIMEOUT)
            s.sendall(SSL_REQUEST)
            return len(s.recv(1)) == 1
    except OSError:
        return False


def host_answers(rest_port, pg_port):
    try:
        request(f"127.0.0.1:{rest_port}", "GET", "/liveness", timeout=PROBE_TIMEOUT)
        return True  # any HTTP answer: Patroni runs there
    except (OSError, http.client.HTTPException):
        return postgres_answers(pg_port)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--etcd", required=True)
    p.add_argument("--scope", required=True)
    p.add_argument("--member", action="append", required=True, help="NAME:REST_PORT:PG_PORT")
    p.add_argument("--lost-after-ms", type=int, default=1000)
    p.add_argument("--stop-file", required=True)
    a = p.parse_args()
    members = {}
    for m in a.member:
        name, rest, pg = m.split(":")
        members[name] = (int(rest), int(pg))
    key = f"/v2/keys/holdfast/{a.scope}/leader"
    config = f"/v2/keys/holdfast/{a.scope}/config"
    say(f"watching the leader of {a.scope} among {', '.join(members)}; lost after {a.lost_after_ms} ms without an answer")
    since = None
    paused_told = False
    while not os.path.exists(a.stop_file):
        try:
            status, body = request(a.etcd, "GET", key)
            leader = json.loads(body)["node"]["value"] if status == 200 else None
        except (OSError, http.client.HTTPException, ValueError, KeyError):
            leader = None
        if leader not in members or host_answers(*members[leader]):
            if since is not None and leader in members:
                say(f"{leader} answers again")
            since = None
            paused_told = False
            time.sleep(ROUND)
            continue
        now = time.monotonic()
        if since is None:
            since = now
            if not paused_told:
                say(f"{leader}: neither its Patroni nor its PostgreSQL answers")
        silent_ms = int((now - since) * 1000)
        if silent_ms >= a.lost_after_ms:
            since = None
            try:
                _, body = request(a.etcd, "GET", config)
                paused = json.loads(json.loads(body)["node"]["value"]).get("pause") is True
            except (OSError, http.client.HTTPException, ValueError, KeyError):
                paused = False
            if paused:
                if not paused_told:
                    say("the cluster is paused (maintenance): nothing is failed over while it is")
                paused_told = True
                time.sleep(1)
                continue
            try:
                status, body = request(a.etcd, "DELETE", key + "?prevValue=" + urllib.parse.quote(leader))
            except (OSError, http.client.HTTPException) as e:
                say(f"could not delete {leader}'s leader key: {e}")
                continue
            if status == 200:
                say(f"declared {leader}'s host lost after {silent_ms} ms without an answer: deleted its leader key")
                for name, (rest, _) in members.items():
                    if name != leader:
                        try:
                            request(f"127.0.0.1:{rest}", "PATCH", "/config", body='{"postgresql":{}}')
                            say(f"woke Patroni on {name}")
                        except (OSError, http.client.HTTPException) as e:
                            say(f"could not wake {name}: {e}")
            else:
                say(f"{leader}'s leader key was not deleted ({status}: the key changed meanwhile)")
            time.sleep(2)  # the promotion, and a new leader to watch
            continue
        time.sleep(ROUND)
    return 0


if __name__ == "__main__":
    sys.exit(main())
