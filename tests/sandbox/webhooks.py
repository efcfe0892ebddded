"""webhooks.py - the sandbox's HiBob sends signed v2 webhooks, as Bob does.

Configured through the HiBob control API:

    POST /_control/webhooks {"url": "http://127.0.0.1:PORT/hibob/webhook",
                             "secret": "...", "mode": "normal", "retries": 5}
    GET  /_control/webhooks            the delivery log and the settings
    POST /_control/webhooks {"url": null}   stop sending

What Bob does (hibob-api.md section 7, HiBob's webhook pages): a POST with a
small JSON payload naming the request or the person (`data.timeoffRequestId`,
`data.employeeId`, `data.getApi`; `data.fieldUpdates` for employee.updated),
signed with `Bob-Signature` = base64(HMAC-SHA512(secret, raw body)); an
auto-approved request sends `requested` then `approved`; a delivery that is
not answered 2xx is retried with backoff (Bob: for up to 3 days; here a few
times, quickly, so that tests end).  Events go out in the order they
happened, one at a time, from one thread.

Modes (scenarios for the tests): normal; bad_signature (signed with another
secret); replay (every event sent twice); lost (nothing is sent: webhooks
that never arrive, for the poll to catch up); garbage (a signed body that is
not an event).
"""
import base64
import hashlib
import hmac
import json
import queue
import threading
import time
import urllib.error
import urllib.request

MODES = ("normal", "bad_signature", "replay", "lost", "garbage")
RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 4.0)   # then the event is given up (logged)


def sign(secret, body):
    return base64.b64encode(hmac.new(secret.encode("utf-8"), body, hashlib.sha512).digest()).decode()


class Sender:
    def __init__(self, company_id=637323):
        self.lock = threading.Lock()
        self.url = None
        self.secret = None
        self.mode = "normal"
        self.retries = len(RETRY_DELAYS)
        self.company_id = company_id
        self.q = queue.Queue()
        self.log = []          # one entry per event: type, ids, attempts, final status
        self.thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
        self.thread.start()

    # ---- control ----
    def configure(self, body):
        mode = body.get("mode", "normal")
        if mode not in MODES:
            raise ValueError("mode must be one of %s" % ", ".join(MODES))
        url = body.get("url")
        if url is not None and not str(url).startswith(("http://127.", "http://[::1]", "https://127.")):
            raise ValueError("the sandbox sends webhooks to loopback addresses only")
        with self.lock:
            self.url = url
            self.secret = body.get("secret") or self.secret
            self.mode = mode
            self.retries = max(0, min(len(RETRY_DELAYS), int(body.get("retries", len(RETRY_DELAYS)))))
            if body.get("clear_log"):
                self.log = []
        return self.public()

    def public(self):
        with self.lock:
            return {"url": self.url, "mode": self.mode, "secret_set": bool(self.secret),
                    "sent": sum(1 for e in self.log if e.get("status") and 200 <= e["status"] < 300),
                    "log": list(self.log)}

    # ---- events ----
    def _emit(self, etype, data):
        with self.lock:
            if not self.url:
                return
        now = time.time()
        payload = {"companyId": self.company_id, "type": etype, "triggeredBy": "system",
                   "triggeredAt": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) +
                   ".%06d" % int((now % 1) * 1e6),
                   "version": "v2", "data": data}
        self.q.put((etype, payload, now))

    def timeoff(self, change, q, status_before=None, base_url=""):
        """A time-off change of the sandbox as the webhook(s) Bob sends."""
        st = q.status
        if change == "Created":
            types = ["timeoff.request.requested"]
            if st == "approved":
                types.append("timeoff.request.approved")
            if status_before == "pending" and st == "approved":
                types = ["timeoff.request.approved"]
        elif change == "Canceled":
            types = ["timeoff.request.declined" if st == "disapproved" else "timeoff.request.cancelled"]
        elif change == "Deleted":
            types = ["timeoff.request.deleted"]
        else:
            types = ["timeoff.request.updated"]
        for t in types:
            self._emit(t, {"timeoffRequestId": q.id, "employeeId": q.emp.id,
                           "getApi": "%s/timeoff/employees/%s/requests/%d" % (base_url, q.emp.id, q.id)})

    def employee(self, etype, emp_id, field_updates=None):
        data = {"employeeId": emp_id}
        if etype == "employee.updated":
            data["fieldUpdates"] = list(field_updates or [])
        self._emit(etype, data)

    # ---- delivery ----
    def _post(self, url, body, sig):
        req = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Bob-Signature": sig})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code
        except (urllib.error.URLError, OSError):
            return 0

    def _deliver(self, etype, body, entry):
        with self.lock:
            url, secret, mode, retries = self.url, self.secret or "", self.mode, self.retries
        if not url:
            entry["status"] = None
            return
        if mode == "lost":
            entry["status"] = None
            entry["lost"] = True
            return
        if mode == "garbage":
            body = b'{"hello":"not an event"}'
        sig = sign("not the secret" if mode == "bad_signature" else secret, body)
        sends = 2 if mode == "replay" else 1
        for _ in range(sends):
            status = 0
            for delay in (0.0,) + RETRY_DELAYS[:retries]:
                if delay:
                    time.sleep(delay)
                status = self._post(url, body, sig)
                entry["attempts"] += 1
                if 200 <= status < 300:
                    break
            entry["status"] = status

    def _run(self):
        while True:
            etype, payload, at = self.q.get()
            body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
            entry = {"type": etype, "data": payload["data"], "at": at, "attempts": 0, "status": None}
            self._deliver(etype, body, entry)
            entry["done"] = time.time()
            with self.lock:
                self.log.append(entry)
                if len(self.log) > 10000:
                    del self.log[:1000]
