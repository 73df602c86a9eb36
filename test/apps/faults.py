"""A server that misbehaves on purpose, for the fault tests (stdlib only).

    python faults.py PORT [--die-after-ms N] [--ignore-sigterm] [--flood-bytes N]
                          [--status CODE] [--exit CODE] [--never-healthy] [--print TEXT]
                          [--start-delay-ms N] [--print-env]

/healthz answers 200 (503 with --never-healthy); every other path answers --status (200).
--die-after-ms kills the server with SIGKILL N ms after the first request that is not /healthz,
so it dies under load whatever the machine's speed.
"""
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def option(name, default=None):
    if name in sys.argv:
        i = sys.argv.index(name)
        return sys.argv[i + 1] if i + 1 < len(sys.argv) and not sys.argv[i + 1].startswith("--") else True
    return default


PORT = int(sys.argv[1])
STATUS = int(option("--status", 200))
DIE_AFTER_MS = option("--die-after-ms")
NEVER_HEALTHY = option("--never-healthy", False)
first_request = threading.Event()


def die_later():
    first_request.wait()
    threading.Event().wait(int(DIE_AFTER_MS) / 1000)
    os.kill(os.getpid(), signal.SIGKILL)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            code = 503 if NEVER_HEALTHY else 200
        else:
            first_request.set()
            code = STATUS
        body = b'{"ok": true}'
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


if option("--start-delay-ms"):
    threading.Event().wait(int(option("--start-delay-ms")) / 1000)
if option("--print-env"):
    for name, value in sorted(os.environ.items()):
        print(f"{name}={value}", flush=True)
if option("--print"):
    print(option("--print"), flush=True)
if option("--flood-bytes"):
    # One line without a newline: the output tail must still cut it.
    sys.stdout.write("x" * int(option("--flood-bytes")))
    sys.stdout.flush()
if option("--exit"):
    sys.exit(int(option("--exit")))
if option("--ignore-sigterm"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if DIE_AFTER_MS:
    threading.Thread(target=die_later, daemon=True).start()

ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
