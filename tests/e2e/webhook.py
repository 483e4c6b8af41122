#!/usr/bin/env python3
"""A loopback webhook receiver for Alertmanager: appends each alert it receives to a file.

Usage: webhook.py PORT OUTFILE. One line per alert: "<status> <alertname> <labels as JSON>".
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

port, out = int(sys.argv[1]), sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(out, "a", encoding="utf-8") as f:
            for alert in json.loads(body).get("alerts", []):
                labels = alert.get("labels", {})
                f.write(f'{alert.get("status")} {labels.get("alertname")} {json.dumps(labels, sort_keys=True)}\n')
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", port), Handler).serve_forever()
