#!/usr/bin/python3
"""sandbox.py - start the fake HiBob, Assembled and Alleo SCIM servers.

    python3 tests/sandbox/sandbox.py --state-file F [--people N] [--seed S]
        [--today YYYY-MM-DD] [--scenario NAME] [--lifetime SECONDS]
        [--hibob-port P --assembled-port P --scim-port P]
        [--tls-cert C --tls-key K] [--latency-ms N] [--staleness SECONDS]
        [--answer-log FILE]

Serves on 127.0.0.1 only, writes F atomically (URLs and the fixed demo
credentials), and exits on SIGTERM/SIGINT or after --lifetime seconds.
See README.md beside this file for the control API.
"""
import argparse
import datetime as dt
import json
import os
import shlex
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common                      # noqa: E402
import company as companymod       # noqa: E402
import hibob as hibobmod           # noqa: E402
import assembled as asmmod         # noqa: E402
import scim as scimmod             # noqa: E402
import webhooks as webhookmod      # noqa: E402
from common import json_response   # noqa: E402
from company import DEPARTMENTS, SITES, iso   # noqa: E402


class World:
    """Everything the three servers share; `lock` guards all of it."""

    def __init__(self, company, scenario="default", sections=None, staleness=0.0):
        self.lock = threading.RLock()
        self.company = company
        self.assembled = asmmod.AssembledData(company)
        self.scenario = hibobmod.scenario_state(scenario, sections)
        self.staleness = staleness
        self.toff_api = dict(hibobmod.TOFF_API_DEFAULTS)
        self._ts = [e[0] for e in company.events]
        self.hibob = None
        self.webhooks = webhookmod.Sender()
        self.webhook_base = ""     # HiBob's /v1 address, for the payloads' getApi
        # request id -> the status Bob last announced (so that approving a
        # pending request sends "approved" alone)
        self._wh_status = {q.id: q.status for q in company.requests}

    # ---- helpers for the apps ----
    def event_times(self):
        ev = self.company.events
        if len(self._ts) != len(ev):
            self._ts.extend(e[0] for e in ev[len(self._ts):])
        return self._ts

    def add_event(self, change, q, status=None):
        ev = self.company.events
        ts = time.time()
        if ev and ts <= ev[-1][0]:
            ts = ev[-1][0] + 0.001
        self.company.event(ts, change, q, status)
        before = self._wh_status.get(q.id)
        self._wh_status[q.id] = q.status
        self.webhooks.timeoff(change, q, before, self.webhook_base)

    def view(self, p, now):
        """The person as a reader sees them: an update may not show yet."""
        st = p.stale
        if st is None:
            return p
        if now >= st[0]:
            p.stale = None
            return p
        q = companymod.Person()
        for attr, v in st[1].items():
            setattr(q, attr, v)
        q.stale = None
        q.index = p.index
        return q

    def custom_ids(self):
        ids = self.company.ids
        return [ids["access"], ids["monthly"], ids["health"], ids["cost_centre"]]

    def expected(self):
        return self.company.expected(self.assembled.agent_map(),
                                     private_visible=self.toff_api["private_permission"])

    # ---- control shared by every server ----
    def common_control(self, req):
        if req.path == "/_control/scenario":
            if req.method == "POST":
                try:
                    body = common.body_object(req)
                    st = hibobmod.scenario_state(body.get("name", "default"), body.get("sections"))
                except ValueError as e:
                    return json_response({"error": str(e)}, 400)
                with self.lock:
                    self.scenario = st
                return json_response(hibobmod.scenario_public(st))
            if req.method == "GET":
                with self.lock:
                    return json_response(hibobmod.scenario_public(self.scenario))
        if req.path == "/_control/expected" and req.method == "GET":
            with self.lock:
                return json_response(self.expected())
        if req.path == "/_control/webhooks":
            if req.method == "POST":
                try:
                    return json_response(self.webhooks.configure(common.body_object(req)))
                except ValueError as e:
                    return json_response({"error": str(e)}, 400)
            if req.method == "GET":
                return json_response(self.webhooks.public())
        if req.path == "/_control/state" and req.method == "GET":
            return self.ctl_state(req)
        return None

    def person_json(self, p):
        c = self.company
        return {"id": p.id, "email": p.email, "firstName": p.first, "surname": p.surname,
                "displayName": p.display(), "department": DEPARTMENTS[p.dept][0],
                "site": SITES[p.site][0], "timezone": SITES[p.site][1], "lifecycle": p.lifecycle,
                "status": p.status, "startDate": iso(p.start), "terminationDate": iso(p.term),
                "alleo_access": p.access, "budgets": {"alleo_monthly_all_budget": p.budget_monthly,
                                                      "alleo_oneoff_health_budget": p.budget_health},
                "manager": p.manager, "title": c.item_name.get(("title", str(p.title)))}

    def request_json(self, q):
        return {"requestId": q.id, "employeeId": q.emp.id, "email": q.emp.email, "policyType": q.policy,
                "type": q.type, "status": q.status, "deleted": q.deleted, "startDate": iso(q.start),
                "endDate": iso(q.end), "startPortion": q.start_portion, "endPortion": q.end_portion,
                "spec": q.spec, "previousRequestId": q.previous, "originalRequestId": q.original,
                "description": q.description}

    def ctl_state(self, req):
        summary = req.qbool("summary", False)
        with self.lock:
            c = self.company
            out = {"today": iso(c.today), "seed": c.seed, "scenario": hibobmod.scenario_public(self.scenario),
                   "staleness": self.staleness, "people_count": len(c.people),
                   "requests_count": len(c.requests), "events_count": len(c.events),
                   "field_ids": {"alleo_access": c.ids["access"],
                                 "alleo_monthly_all_budget": c.ids["monthly"],
                                 "alleo_oneoff_health_budget": c.ids["health"],
                                 "cost_centre": c.ids["cost_centre"]},
                   "list_ids": {"alleo_access": c.ids["access_list"], "cost_centre": c.ids["cost_list"]},
                   "access_items": dict(c.access_item),
                   "stories": {k: v.id for k, v in getattr(c, "stories", {}).items()},
                   "featured": {k: p.id for k, p in c.featured.items()}}
            if not summary:
                out["people"] = [self.person_json(p) for p in c.people]
                out["requests"] = [self.request_json(q) for q in c.requests]
            return json_response(out)

    def find_person(self, key):
        c = self.company
        if not key:
            return None
        return c.by_id.get(key) or c.by_email.get(str(key).lower())

    def ctl_person(self, req):
        try:
            b = common.body_object(req)
        except ValueError as e:
            return json_response({"error": str(e)}, 400)
        c = self.company
        dnames = {d[0].lower(): k for k, d in enumerate(DEPARTMENTS)}
        snames = {s[0].lower(): k for k, s in enumerate(SITES)}
        try:
            with self.lock:
                if b.get("create"):
                    lc = b.get("lifecycle", "hired")
                    start = dt.date.fromisoformat(b["startDate"]) if b.get("startDate") else None
                    acc = b.get("alleo_access", "yes")
                    p = c.add_person(b.get("firstName", "New"), b.get("surname", "Joiner"),
                                     dept=dnames[b.get("department", "Support").lower()],
                                     site=snames[b.get("site", "Amsterdam").lower()],
                                     lifecycle=lc, access=None if acc == "unset" else acc, start=start,
                                     budgets=(None, None))
                    if b.get("email"):
                        c.by_email.pop(p.email.lower(), None)
                        p.email = b["email"]
                        c.by_email[p.email.lower()] = p
                else:
                    p = self.find_person(b.get("id") or b.get("email"))
                    if p is None:
                        return json_response({"error": "no such person"}, 404)
                    new = b.get("new_email") or (b.get("email") if b.get("id") else None)
                    if new:
                        if new.lower() in c.by_email and c.by_email[new.lower()] is not p:
                            return json_response({"error": "e-mail already used"}, 400)
                        c.by_email.pop(p.email.lower(), None)
                        p.email = new
                        c.by_email[p.email.lower()] = p
                if "alleo_access" in b:
                    v = b["alleo_access"]
                    p.access = None if v in (None, "unset", "") else v
                if "lifecycle" in b:
                    if b["lifecycle"] not in companymod.LIFECYCLE_DISPLAY:
                        return json_response({"error": "unknown lifecycle %r" % b["lifecycle"]}, 400)
                    p.lifecycle = b["lifecycle"]
                    p.status = "Inactive" if p.lifecycle in ("hired", "terminated") else "Active"
                if "status" in b:
                    p.status = b["status"]
                if "startDate" in b and b["startDate"]:
                    p.start = dt.date.fromisoformat(b["startDate"])
                if "terminationDate" in b:
                    p.term = dt.date.fromisoformat(b["terminationDate"]) if b["terminationDate"] else None
                for k in ("firstName", "surname"):
                    if k in b and not b.get("create"):
                        setattr(p, "first" if k == "firstName" else "surname", b[k])
                if "department" in b and not b.get("create"):
                    p.dept = dnames[b["department"].lower()]
                if "site" in b and not b.get("create"):
                    p.site = snames[b["site"].lower()]
                bud = b.get("budgets") or {}
                if "alleo_monthly_all_budget" in bud:
                    p.budget_monthly = bud["alleo_monthly_all_budget"]
                if "alleo_oneoff_health_budget" in bud:
                    p.budget_health = bud["alleo_oneoff_health_budget"]
                p.stale = None
                self._person_webhook(b, p)
                return json_response(self.person_json(p))
        except (KeyError, ValueError) as e:
            return json_response({"error": "bad value: %s" % e}, 400)

    def _person_webhook(self, b, p):
        """The employee webhook Bob would send for a control change of a person."""
        c = self.company
        if b.get("create"):
            self.webhooks.employee("employee.created", p.id)
            return
        if b.get("lifecycle") == "terminated":
            self.webhooks.employee("employee.left", p.id)
        names = {"alleo_access": c.ids["access"], "email": "root.email", "new_email": "root.email",
                 "firstName": "root.firstName", "surname": "root.surname",
                 "startDate": "work.startDate", "terminationDate": "internal.terminationDate",
                 "lifecycle": "internal.lifecycleStatus", "status": "internal.status",
                 "department": "work.department", "site": "work.site"}
        fields = [names[k] for k in b if k in names and not (k == "email" and not b.get("id"))]
        bud = b.get("budgets") or {}
        if "alleo_monthly_all_budget" in bud:
            fields.append(c.ids["monthly"])
        if "alleo_oneoff_health_budget" in bud:
            fields.append(c.ids["health"])
        if fields:
            self.webhooks.employee("employee.updated", p.id, sorted(set(fields)))

    def ctl_timeoff(self, req):
        try:
            b = common.body_object(req)
        except ValueError as e:
            return json_response({"error": str(e)}, 400)
        op = b.get("op")
        c = self.company
        try:
            with self.lock:
                if op == "create":
                    p = self.find_person(b.get("employee"))
                    if p is None:
                        return json_response({"error": "no such employee"}, 404)
                    q = self._new_from(p, b, None)
                    status = b.get("status", "approved")
                    if status not in ("approved", "pending"):
                        return json_response({"error": "status must be approved or pending"}, 400)
                    if status == "approved" and b.get("via_pending"):
                        self.add_event("Created", q, "pending")
                    q.status = status
                    if status == "approved":
                        q.approved_at = time.time()
                    self.add_event("Created", q)
                    return self._req_out(q)
                q = c.req_by_id.get(b.get("requestId"))
                if q is None:
                    return json_response({"error": "no such request"}, 404)
                if q.deleted:
                    return json_response({"error": "request was deleted"}, 409)
                if op == "approve":
                    if q.status != "pending":
                        return json_response({"error": "only pending requests can be approved"}, 409)
                    q.status = "approved"
                    q.approved_at = time.time()
                    self.add_event("Created", q)
                elif op == "decline":
                    if q.status != "pending":
                        return json_response({"error": "only pending requests can be declined"}, 409)
                    q.status = "disapproved"
                    q.declined_at = time.time()
                    self.add_event("Canceled", q)
                elif op == "cancel":
                    if q.status not in ("approved", "pending"):
                        return json_response({"error": "request is %s" % q.status}, 409)
                    q.status = "canceled"
                    self.add_event("Canceled", q)
                elif op == "delete":
                    q.deleted = True
                    self.add_event("Deleted", q, q.status)
                elif op == "edit":
                    keys = set(b) - {"op", "requestId", "changeType"}
                    if keys <= {"description"}:
                        q.description = b.get("description")
                        self.add_event("Updated", q)
                        return self._req_out(q)
                    if q.status not in ("approved", "pending"):
                        return json_response({"error": "request is %s" % q.status}, 409)
                    n = self._new_from(q.emp, b, q)
                    n.previous = q.id
                    n.original = q.original or q.id
                    n.status = q.status
                    n.approved_at = time.time() if n.status == "approved" else None
                    q.status = "canceled"
                    self.add_event("Canceled", q)
                    ct = b.get("changeType") or ("Updated" if n.id % 3 == 0 else "Created")
                    self.add_event(ct, n)
                    return self._req_out(n, replaced=q.id)
                else:
                    return json_response({"error": "op must be create, approve, decline, cancel, "
                                                   "delete or edit"}, 400)
                return self._req_out(q)
        except (KeyError, ValueError, TypeError) as e:
            return json_response({"error": "bad value: %s" % e}, 400)

    def _new_from(self, p, b, old):
        """A request from a control body, defaults taken from `old` when editing."""
        c = self.company

        def g(k, default=None):
            if k in b:
                return b[k]
            return default

        rtype = g("type", old.type if old else "days")
        if rtype not in ("days", "hours", "portionOnRange", "hoursOnRange", "differentDayDurations",
                         "specificHoursDayDurations", "differentSpecificHoursDayDurations",
                         "percentageOnRange", "openEnded"):
            raise ValueError("unknown type %r" % rtype)
        start = dt.date.fromisoformat(g("startDate", iso(old.start) if old else None) or g("date"))
        end_s = g("endDate", iso(old.end) if old and old.end else None)
        end = dt.date.fromisoformat(end_s) if end_s else (None if rtype == "openEnded" else start)
        spec = dict(old.spec) if old else {}
        for k in ("hoursOnDate", "minutes", "dayPortion", "dailyHours", "percentageOfDay", "durations",
                  "timeZone"):
            if k in b:
                spec[k] = b[k]
        defaults = {"hours": {"hoursOnDate": 2, "minutes": 0}, "portionOnRange": {"dayPortion": "morning"},
                    "hoursOnRange": {"dailyHours": 4, "minutes": 0}, "percentageOnRange": {"percentageOfDay": 50}}
        for k, v in defaults.get(rtype, {}).items():
            spec.setdefault(k, v)
        if rtype in ("specificHoursDayDurations", "differentSpecificHoursDayDurations", "openEnded"):
            spec.setdefault("timeZone", SITES[p.site][1])
        if rtype in companymod.DAY_BY_DAY_TYPES and "durations" not in spec:
            days = ((end or start) - start).days + 1
            if rtype == "differentDayDurations":
                spec["durations"] = [{"date": iso(start + dt.timedelta(days=k)), "hours": 4, "minutes": 0}
                                     for k in range(days)]
            else:
                spec["durations"] = [{"date": iso(start + dt.timedelta(days=k)), "startTime": "09:00",
                                      "endTime": "12:00"} for k in range(days)]
        portions = rtype in ("days", "openEnded")
        sp = g("startPortion", old.start_portion if old else "all_day") if portions else None
        ep = g("endPortion", old.end_portion if old else "all_day") if portions else None
        if rtype == "openEnded" and end is None:
            ep = None
        q = c._new_request(p, g("policyType", old.policy if old else "Holiday"), rtype, start, end,
                           "pending", sp, ep, spec, created=time.time())
        q.description = g("description", old.description if old else None)
        return q

    def _req_out(self, q, replaced=None):
        out = {"requestId": q.id, "request": self.hibob.details(q), "state": self.request_json(q)}
        if replaced is not None:
            out["replaced"] = replaced
        return json_response(out)


def write_state(path, data):
    write_text(path, json.dumps(data, indent=1) + "\n")


def write_text(path, text):
    """Write atomically: a reader sees nothing or the whole file."""
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".sandbox-state.", dir=d)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def main(argv=None):
    ap = argparse.ArgumentParser(description="Fake HiBob, Assembled and Alleo SCIM servers on 127.0.0.1.")
    ap.add_argument("--state-file", required=True)
    ap.add_argument("--people", type=int, default=320)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--today", type=dt.date.fromisoformat, default=None)
    ap.add_argument("--scenario", default="default")
    ap.add_argument("--sections", default="", help="for --scenario missing_sections: comma-separated")
    ap.add_argument("--lifetime", type=float, default=3600.0)
    ap.add_argument("--hibob-port", type=int, default=0)
    ap.add_argument("--assembled-port", type=int, default=0)
    ap.add_argument("--scim-port", type=int, default=0)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--env-file", help="also write SB_* shell assignments here")
    ap.add_argument("--staleness", type=float, default=0.0,
                    help="seconds a HiBob read may still show the value from before a write")
    ap.add_argument("--answer-log", help="append every API answer (server, method, path, status, "
                    "body) to this file as JSON lines")
    a = ap.parse_args(argv)
    if a.people < 0:
        ap.error("--people must be >= 0")
    if bool(a.tls_cert) != bool(a.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    tls = (a.tls_cert, a.tls_key) if a.tls_cert else None

    t0 = time.monotonic()
    comp = companymod.Company(a.people, a.seed, a.today)
    try:
        world = World(comp, a.scenario, [s for s in a.sections.split(",") if s.strip()], a.staleness)
    except ValueError as e:
        ap.error(str(e))
    gen_s = time.monotonic() - t0
    hb = hibobmod.HiBob(world)
    world.hibob = hb
    asm = asmmod.Assembled(world)
    sc = scimmod.Scim(world)
    servers = []
    alog = common.AnswerLog(a.answer_log) if a.answer_log else None
    try:
        for name, app, port in (("hibob", hb, a.hibob_port), ("assembled", asm, a.assembled_port),
                                ("scim", sc, a.scim_port)):
            core = common.ServerCore(name, app, a.latency_ms)
            core.answer_log = alog
            app.core = core
            servers.append(common.start(core, port, tls))
    except OSError as e:
        sys.stderr.write("sandbox: cannot listen: %s\n" % e)
        for s in servers:
            s.shutdown()
        return 1
    hs, as_, ss = servers
    sc.base = ss.base_url()
    world.webhook_base = hs.base_url() + "/v1"
    ids = comp.ids
    state = {
        "hibob": {"url": hs.base_url() + "/v1", "service_user_id": ids["service_user_id"],
                  "token": ids["token"]},
        "assembled": {"url": as_.base_url() + "/v0", "api_key": ids["api_key"]},
        "scim": {"url": ss.base_url() + "/scim/v2", "token_url": ss.base_url() + "/oauth/token",
                 "client_id": ids["client_id"], "client_secret": ids["client_secret"]},
        "pid": os.getpid(), "today": iso(comp.today), "people": len(comp.people),
        "seed": a.seed, "scenario": a.scenario,
        "control": {"hibob": hs.base_url(), "assembled": as_.base_url(), "scim": ss.base_url()},
    }
    if a.env_file:
        env = {"SB_HIBOB_URL": state["hibob"]["url"], "SB_HIBOB_ID": ids["service_user_id"],
               "SB_HIBOB_TOKEN": ids["token"], "SB_ASM_URL": state["assembled"]["url"],
               "SB_ASM_KEY": ids["api_key"], "SB_SCIM_URL": state["scim"]["url"],
               "SB_TOKEN_URL": state["scim"]["token_url"], "SB_SCIM_ID": ids["client_id"],
               "SB_SCIM_SECRET": ids["client_secret"], "SB_TODAY": state["today"],
               "SB_PID": str(os.getpid()), "SB_HIBOB_CTL": hs.base_url(),
               "SB_ASM_CTL": as_.base_url(), "SB_SCIM_CTL": ss.base_url()}
        write_text(a.env_file, "".join("%s=%s\n" % (k, shlex.quote(v)) for k, v in env.items()))
    write_state(a.state_file, state)
    sys.stdout.write("sandbox: %d people, %d time-off requests (generated in %.2f s); HiBob %s, "
                     "Assembled %s, SCIM %s; pid %d\n" % (len(comp.people), len(comp.requests), gen_s,
                                                          state["hibob"]["url"], state["assembled"]["url"],
                                                          state["scim"]["url"], os.getpid()))
    sys.stdout.flush()

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    stop.wait(a.lifetime if a.lifetime > 0 else None)
    for s in servers:
        threading.Thread(target=s.shutdown, daemon=True).start()
    time.sleep(0.3)
    for s in servers:
        try:
            s.server_close()
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
