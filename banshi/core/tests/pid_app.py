"""A WSGI application for the serving tests: answers, after a short wait, with its process id."""

import os
import time


def app(environ, start_response):
    time.sleep(float(environ.get("QUERY_STRING") or 0.2))
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
