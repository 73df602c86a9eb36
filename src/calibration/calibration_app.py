"""Reference WSGI app for calibration (stdlib only).

Every request does the same fixed work, so its numbers say how fast this machine is, at this
moment, for this kind of server, whatever the user's app does. The work is what a web request
spends its time on in the interpreter: building dicts and strings, sorting, formatting, a JSON
answer. Not a hash or other C loop: CPUs differ far more at those (SHA extensions, vector units)
than at running Python, and the point is to divide out what moves the user's app.
"""
import json

NAMES = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]


def _work(path):
    rows = []
    for i in range(160):
        name = NAMES[i % len(NAMES)]
        rows.append({"id": i, "name": f"{name}-{i:03d}", "price": ((i * 37) % 101) / 7.0, "tags": [name[:3], str(i % 5)]})
    rows.sort(key=lambda r: (r["price"], r["name"]))
    total = 0.0
    groups = {}
    for r in rows:
        total += r["price"]
        groups.setdefault(r["tags"][1], []).append(r["id"])
    label = "|".join(r["name"].upper() for r in rows[:40] if r["id"] % 3)
    return {"path": path, "n": len(rows), "total": round(total, 3), "groups": {k: len(v) for k, v in sorted(groups.items())}, "label": label[:64]}


def app(environ, start_response):
    body = json.dumps(_work(environ.get("PATH_INFO", "/"))).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
