"""An app whose timing is known, for the open-model and capacity tests (stdlib only).

As WSGI (`timing:app`, e.g. under gunicorn): every request sleeps SLEEP_MS (default 0), so a
sync worker serves at most 1000 / SLEEP_MS requests a second, whatever the CPU.

As a server (`python timing.py PORT`): single-threaded, one request at a time, and every
STALL_EVERY-th request (0: never) stalls STALL_MS before it answers, so every request that
arrives meanwhile waits for it: a coordinated-omission-corrected p99 sees the stall, a closed
loop with few connections does not. /healthz never counts and never stalls.
"""
import os
import sys
import time
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

SLEEP_S = int(os.environ.get("SLEEP_MS", "0")) / 1000
STALL_EVERY = int(os.environ.get("STALL_EVERY", "0"))
STALL_S = int(os.environ.get("STALL_MS", "0")) / 1000
served = 0


def app(environ, start_response):
    global served
    if environ.get("PATH_INFO") != "/healthz":
        served += 1
        if STALL_EVERY and served % STALL_EVERY == 0:
            time.sleep(STALL_S)
        elif SLEEP_S:
            time.sleep(SLEEP_S)
    body = b"ok"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


class Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


class Server(WSGIServer):
    request_queue_size = 1024


if __name__ == "__main__":
    server = Server(("127.0.0.1", int(sys.argv[1])), Quiet)
    server.set_app(app)
    server.serve_forever()
