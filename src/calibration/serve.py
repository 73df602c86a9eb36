"""Serves the calibration app on 127.0.0.1:PORT the way `python app.py PORT` serves a Flask app:
Werkzeug's threaded development server when it is installed (it comes with Flask), else wsgiref."""
import sys

from calibration_app import app

port = int(sys.argv[1])
try:
    from werkzeug.serving import run_simple

    run_simple("127.0.0.1", port, app, threaded=True)
except ImportError:
    from wsgiref.simple_server import make_server

    make_server("127.0.0.1", port, app).serve_forever()
