"""Serves the reference app on 127.0.0.1:PORT with the standard library only, so that nothing the
user's code depends on (Werkzeug, gunicorn) moves it: a threaded server, like the Flask development
server, or with --workers N a pre-forked one, like gunicorn (N processes accepting on one socket,
each one request at a time, or --threads at a time).

    python serve.py PORT [--workers N] [--threads T]
"""
import argparse
import os
import signal
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from calibration_app import app


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 1024


class SyncServer(WSGIServer):
    request_queue_size = 1024


def serve(port, workers, threads):
    server_class = ThreadingServer if workers == 0 or threads > 1 else SyncServer
    server = server_class(("127.0.0.1", port), QuietHandler)
    server.set_app(app)
    if workers == 0:
        server.serve_forever()
        return
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:
                server.serve_forever()
            finally:
                os._exit(0)
        children.append(pid)

    def stop(*_):
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # A worker that dies takes the server down with it, so the run sees it.
    os.wait()
    stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    serve(args.port, args.workers, args.threads)
