"""The Janus REST API as the Python test peers use it: blocking requests, and a long-poll
thread that keeps every event of the session in order for the peer to look through."""

import json
import sys
import threading
import urllib.error
import urllib.request
import uuid


class JanusHttp:
    """Blocking Janus REST calls plus a long-poll thread that keeps every event in order."""

    def __init__(self, base, name="peer"):
        self.base = base
        self.name = name
        self.session = None
        self.events = []
        self.lock = threading.Lock()
        self.polling = False

    def post(self, body, path=""):
        body = dict(body, transaction=uuid.uuid4().hex[:12])
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(body).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            reply = json.loads(response.read())
        reply["_transaction"] = body["transaction"]
        return reply

    def start_polling(self):
        self.polling = True
        threading.Thread(target=self.poll_loop, daemon=True).start()

    def poll_loop(self):
        while self.polling:
            url = f"{self.base}/{self.session}?maxev=10"
            try:
                with urllib.request.urlopen(url, timeout=40) as response:
                    reply = json.loads(response.read())
            except (urllib.error.URLError, OSError, ValueError) as error:
                if self.polling:
                    print(f"{self.name}: long-poll failed:", error, file=sys.stderr, flush=True)
                return
            with self.lock:
                for event in reply if isinstance(reply, list) else [reply]:
                    if event.get("janus") != "keepalive":
                        self.events.append(event)

    def finish(self, result):
        """Stops polling, destroys the session and records the reply and every event."""
        self.polling = False
        result["destroy_reply"] = self.post({"janus": "destroy"}, f"/{self.session}")
        with self.lock:
            result["events"] = list(self.events)

    def find_event(self, match):
        """The first event so far that `match` accepts, or None."""
        with self.lock:
            for event in self.events:
                if match(event):
                    return event
        return None


def add_common_arguments(parser, frames_help):
    """The options every Python echo peer takes."""
    parser.add_argument("--base", required=True,
                        help="Janus REST base URL, e.g. http://127.0.0.1:8088/janus")
    parser.add_argument("--frames", type=int, default=30, help=frames_help)
    parser.add_argument("--timeout", type=float, default=20, help="seconds to wait for each step")
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--height", type=int, default=240)
