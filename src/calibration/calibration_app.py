"""Reference WSGI app for cross-hardware calibration (stdlib only).

Every request does the same fixed work, so the ratio of its numbers between two machines says
how much faster one machine is for this kind of server, whatever the user's app does.
"""
import hashlib
import json


def app(environ, start_response):
    data = b"flask-perf-calibration" * 40
    for _ in range(300):
        data = hashlib.sha256(data).digest() * 24
    body = json.dumps({"digest": data[:8].hex(), "path": environ.get("PATH_INFO", "/")}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
