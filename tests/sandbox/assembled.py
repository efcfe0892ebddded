"""assembled.py - a fake Assembled API (/v0): people, activity types, activities.

Follows docs/targets-api.md part A, quirks included: Basic auth with the
key as user name and an empty password, unix seconds, collections as maps
keyed by id, person `id` differs from `agent_id`, only a single `agents=`
value filters activities, `allow_conflicts` false deletes the agent's
overlapping activities, bulk is all-or-nothing with at most 100 items,
the window DELETE trims partial overlaps and is not type-scoped, opaque
text error bodies, 300 requests a minute with bursts of 20.

Strict where the docs say nothing (the strictest reading is the default):
activity listings are cut without a word at a window of 31 days and at a
page size (100 without `limit`, at most 500), paged by limit/offset with
no `total`; bulk update/delete can be refused as a beta not switched on,
or the bulk route can be missing (`/_control/bulk_delete`).
"""
import datetime as dt
import random
import re
import time
from zoneinfo import ZoneInfo

import common
from common import json_response, text_response
from company import DEPARTMENTS, SITES

SHIFT_AGENTS = 300        # agents with seeded shifts (bounded for big companies)
SHIFT_FROM, SHIFT_TO = -14, 60   # days around today with shifts
PEOPLE_LIMIT_DEFAULT, PEOPLE_LIMIT_MAX = 100, 500
BULK_MAX = 100
# GET /activities: undocumented limits, answered as a cut list (no error)
LISTING_DEFAULTS = {"page_default": 100, "page_max": 500, "window_days": 31}
BULK_DELETE_MODES = ("enabled", "beta_off", "no_route")
# a plausible answer of a beta not switched on (error bodies are undocumented)
BETA_OFF_BODY = ('{"error": "feature_not_enabled", "message": "Bulk update and delete are in beta '
                 'and are not enabled for this company."}')
TYPES = [  # name, short, productive, timeoff, colour
    ("Time Off", "PTO", False, True, "#f6b26b"),
    ("Holiday", "HOL", False, True, "#93c47d"),
    ("Sick And Medical", "SICK", False, True, "#e06666"),
    ("Phone", "PH", True, False, "#6fa8dc"),
    ("Email", "EM", True, False, "#8e7cc3"),
    ("Break", "BRK", False, False, "#cccccc"),
    ("Training", "TRN", False, False, "#ffd966"),
]


class Act:
    __slots__ = ("id", "agent_id", "type_id", "start", "end", "description", "created", "updated",
                 "schedule_id")

    def json(self):
        return {"id": self.id, "agent_id": self.agent_id, "type_id": self.type_id,
                "start_time": self.start, "end_time": self.end, "description": self.description,
                "created_at": self.created, "updated_at": self.updated,
                "id_with_timestamps": self.key(), "schedule_id": self.schedule_id}

    def key(self):
        return "%s-%d-%d" % (self.id, self.start, self.end)


class AssembledData:
    """Assembled's side of the world, derived from the company (seeded)."""

    def __init__(self, company):
        self.c = company
        self.rng = random.Random("assembled-%s" % company.seed)
        self.people = {}          # person id -> dict
        self.order = []           # person ids in listing order
        self.by_agent = {}        # agent id -> person dict
        self.acts = {}            # activity id -> Act
        self.agent_acts = {}      # agent id -> set of activity ids
        self.schedule_id = self.uid()
        self.teams = {}
        self.sites = {}
        self.queues = {}
        self.types = {}
        for name in ("Tier 1", "Tier 2", "Escalations"):
            i = self.uid()
            self.teams[i] = {"id": i, "name": name, "parent_id": None}
        for name, zone, _ in SITES:
            i = self.uid()
            self.sites[i] = {"id": i, "name": name, "timezone": zone}
        self.site_by_name = {v["name"]: k for k, v in self.sites.items()}
        for name in ("Email", "Chat", "Phone"):
            i = self.uid()
            self.queues[i] = {"id": i, "name": name}
        for name, short, prod, off, colour in TYPES:
            i = self.uid()
            self.types[i] = {"id": i, "import_id": "tt-" + short.lower(), "name": name,
                             "short_name": short, "value": short.lower(), "channels": [],
                             "queue_external_ids": None, "productive": prod, "timeoff": off,
                             "background_color": colour, "font_color": "#000000",
                             "timeoff_unit": "days" if off else None}
        self.type_by_name = {v["name"]: k for k, v in self.types.items()}
        self._make_people()
        self._make_shifts()

    def uid(self):
        r = self.rng
        return "%08x-%04x-4%03x-%04x-%012x" % (r.getrandbits(32), r.getrandbits(16), r.getrandbits(12),
                                              0x8000 | r.getrandbits(14), r.getrandbits(48))

    def add_agent(self, p, match="hibob", tz="site", email=None, deleted=False):
        r = self.rng
        pid, aid = self.uid(), self.uid()
        zone = SITES[p.site][1] if tz == "site" else tz
        person = {"id": pid, "agent_id": aid, "first_name": p.first, "last_name": p.surname,
                  "email": email or p.email, "timezone": zone,
                  "imported_id": "emp-%d" % p.emp_no, "role": "agent", "roles": [],
                  "agent_role": "agent", "channels": [r.choice(["email", "chat", "phone"])],
                  "site": self.site_by_name[SITES[p.site][0]],
                  "teams": [list(self.teams)[r.randrange(len(self.teams))]],
                  "queues": [list(self.queues)[r.randrange(len(self.queues))]], "skills": [],
                  "platforms": {"hibob": p.id} if match == "hibob" else {"zendesk": str(r.randrange(10 ** 9))},
                  "start_date": p.start.isoformat(), "end_date": None,
                  "created_at": int(self.c.now) - r.randrange(10 ** 7),
                  "deleted": deleted, "staffable": True, "productivity": 1.0}
        self.people[pid] = person
        self.order.append(pid)
        self.by_agent[aid] = person
        return person

    def _make_people(self):
        c = self.c
        r = self.rng
        f = c.featured
        special = {
            "zoe.lukasiewicz-ostergard": dict(match="hibob"),
            "jose.nunez": dict(match="email", email_case="upper"),
            "arjun.venkataraman": dict(match="hibob", deleted=True),
            "siobhan.nibhriain": dict(match="hibob", tz=None),
            "ngozi.okonkwo-adeyemi": None,          # not in Assembled at all
            "lucja.wisniewska": dict(match="email"),
            "priya.raghunathan": dict(match="hibob"),
        }
        special_ids = {p.id: special[k] for k, p in f.items() if k in special}
        support = [k for k, d in enumerate(DEPARTMENTS) if d[0] == "Support"][0]
        for p in c.people:
            if p.dept != support:
                continue
            if p.lifecycle == "terminated" and p.term is not None and (c.today - p.term).days > 60:
                continue
            if p.id in special_ids:
                sp = special_ids[p.id]
                if sp is None:
                    continue
            else:
                x = r.random()
                sp = {"match": "hibob" if x < 0.6 else "email",
                      "email_case": "upper" if 0.6 <= x < 0.8 else None}
                if r.random() < 0.05:
                    sp["tz"] = r.choice([None, ""])
            email = p.email
            if sp.get("email_case") == "upper":
                email = p.email.upper()
            elif sp.get("match") == "email" and email == email.lower():
                email = email[:1].upper() + email[1:]
            self.add_agent(p, sp.get("match", "hibob"), sp.get("tz", "site"), email,
                           sp.get("deleted", False))
        # people only Assembled knows (contractors from an agency)
        for first, last in (("Casey", "Temp"), ("Robin", "Agency-Støtte")):
            pid, aid = self.uid(), self.uid()
            person = {"id": pid, "agent_id": aid, "first_name": first, "last_name": last,
                      "email": "%s.%s@agency.example" % (first.lower(), "agency"), "timezone": "Europe/London",
                      "imported_id": None, "role": "agent", "roles": [], "agent_role": "agent",
                      "channels": ["chat"], "site": self.site_by_name["London"], "teams": [],
                      "queues": [], "skills": [], "platforms": {}, "start_date": None, "end_date": None,
                      "created_at": int(self.c.now), "deleted": False, "staffable": True,
                      "productivity": 0.8}
            self.people[pid] = person
            self.order.append(pid)
            self.by_agent[aid] = person

    def new_act(self, agent_id, type_id, start, end, description=None, now=None):
        a = Act()
        a.id = self.uid()
        a.agent_id = agent_id
        a.type_id = type_id
        a.start = int(start)
        a.end = int(end)
        a.description = description
        a.created = a.updated = int(now if now is not None else time.time())
        a.schedule_id = self.schedule_id
        self.acts[a.id] = a
        self.agent_acts.setdefault(agent_id, set()).add(a.id)
        return a

    def drop_act(self, act_id):
        a = self.acts.pop(act_id, None)
        if a is not None:
            self.agent_acts.get(a.agent_id, set()).discard(act_id)
        return a

    def _make_shifts(self):
        t = self.c.today
        phone, email, brk = (self.type_by_name[n] for n in ("Phone", "Email", "Break"))
        n = 0
        for pid in self.order:
            person = self.people[pid]
            if person["deleted"]:
                continue
            if n >= SHIFT_AGENTS:
                break
            n += 1
            z = ZoneInfo(person["timezone"] or "UTC")
            for k in range(SHIFT_FROM, SHIFT_TO + 1):
                d = t + dt.timedelta(days=k)
                wd = d.weekday()
                if wd >= 5:
                    continue
                s = int(dt.datetime(d.year, d.month, d.day, 9, tzinfo=z).timestamp())
                e = int(dt.datetime(d.year, d.month, d.day, 17, tzinfo=z).timestamp())
                self.new_act(person["agent_id"], phone if wd < 3 else email, s, e, "shift", self.c.now)
                if wd in (0, 2):
                    bs = int(dt.datetime(d.year, d.month, d.day, 12, tzinfo=z).timestamp())
                    self.new_act(person["agent_id"], brk, bs, bs + 1800, "lunch", self.c.now)

    def agent_map(self):
        """HiBob id -> {"agent_id", "match"}: platforms.hibob first, then the e-mail, case-folded;
        deleted Assembled people never match."""
        by_hibob = {}
        by_mail = {}
        for pid in self.order:
            a = self.people[pid]
            if a["deleted"]:
                continue
            h = (a.get("platforms") or {}).get("hibob")
            if h:
                by_hibob.setdefault(h, a)
            if a.get("email"):
                by_mail.setdefault(a["email"].casefold(), a)
        out = {}
        for p in self.c.people:
            a = by_hibob.get(p.id)
            how = "hibob id"
            if a is None:
                a = by_mail.get(p.email.casefold())
                how = "email"
            if a is not None:
                out[p.id] = {"agent_id": a["agent_id"], "person_id": a["id"], "match": how,
                             "timezone": a["timezone"]}
        return out


class Assembled:
    def __init__(self, world):
        self.w = world
        self.d = world.assembled
        self.bucket = common.TokenBucket(300, 20)
        self.retry_after = None   # seconds to send in Retry-After, None: absent
        self.listing = dict(LISTING_DEFAULTS)
        self.bulk_delete = "enabled"

    def handle(self, req):
        cred = req.basic_auth()
        key = self.w.company.ids["api_key"]
        if cred is None or cred[0] != key or cred[1] != "":
            return text_response(401, "Unauthorized")
        ok, wait = self.bucket.hit(cred[0])
        if not ok:
            hdr = {}
            if self.retry_after is not None:
                hdr["Retry-After"] = str(self.retry_after if self.retry_after > 0 else max(1, int(wait + 0.999)))
            return text_response(429, "Too Many Requests", hdr)
        p, m = req.path, req.method
        if not p.startswith("/v0/"):
            return text_response(404, "404 page not found")
        sub = p[3:]
        with self.w.lock:
            if sub == "/people" and m == "GET":
                return self.people(req)
            mm = re.match(r"^/people/([^/]+)$", sub)
            if mm and m == "GET":
                person = self.d.people.get(mm.group(1))
                if person is None:
                    return text_response(404, "person not found")
                return json_response(person)
            if sub == "/activity_types" and m == "GET":
                return json_response({"activity_types": self.d.types})
            if sub == "/activities":
                if m == "GET":
                    return self.list_acts(req)
                if m == "POST":
                    return self.create(req)
                if m == "DELETE":
                    return self.window_delete(req)
            if sub == "/activities/bulk" and m == "POST":
                return self.bulk(req)
            for name in ("teams", "sites", "queues"):
                if sub == "/" + name and m == "GET":
                    return json_response({name: getattr(self.d, name)})
        return text_response(404, "404 page not found")

    def people(self, req):
        try:
            limit = int(req.q("limit", PEOPLE_LIMIT_DEFAULT))
            offset = int(req.q("offset", 0))
        except ValueError:
            return text_response(400, "limit and offset must be integers")
        if limit <= 0 or offset < 0:
            return text_response(400, "invalid limit or offset")
        limit = min(limit, PEOPLE_LIMIT_MAX)
        ids = self.d.order[offset:offset + limit]
        return json_response({"people": {i: self.d.people[i] for i in ids}, "teams": self.d.teams,
                              "sites": self.d.sites, "queues": self.d.queues, "skills": {},
                              "total": len(self.d.order), "limit": limit, "offset": offset})

    def list_acts(self, req):
        try:
            s = int(req.q("start_time"))
            e = int(req.q("end_time"))
        except (TypeError, ValueError):
            return text_response(400, "Missing required field start_time/end_time (unix seconds)")
        # only a single agents=<id> is honoured; lists (repeated or agents[]) are ignored
        agents = req.qlist("agents")
        agent = agents[0] if len(agents) == 1 and not req.qlist("agents[]") else None
        types = req.qlist("types")
        tfilter = types[0] if len(types) == 1 and not req.qlist("types[]") else None
        if agent is not None and "," in agent:
            agent = None
        lim = self.listing
        try:
            limit = int(req.q("limit", lim["page_default"] or 0))
            offset = int(req.q("offset", 0))
        except ValueError:
            return text_response(400, "limit and offset must be integers")
        if limit < 0 or offset < 0 or (limit == 0 and req.q("limit") is not None):
            return text_response(400, "invalid limit or offset")
        if lim["page_max"] and (limit == 0 or limit > lim["page_max"]):
            limit = lim["page_max"]          # cut without a word
        if lim["window_days"] and e - s > lim["window_days"] * 86400:
            e = s + lim["window_days"] * 86400   # the rest of the window left out
        if agent is not None:
            cand = (self.d.acts[i] for i in self.d.agent_acts.get(agent, ()))
        else:
            cand = self.d.acts.values()
        rows = sorted((a for a in cand if a.start < e and a.end > s and (tfilter is None or a.type_id == tfilter)),
                      key=lambda a: (a.start, a.id))
        rows = rows[offset:offset + limit] if limit else rows[offset:]
        out = {a.key(): a.json() for a in rows}
        res = {"activities": out}
        if req.qbool("include_agents"):
            res["agents"] = {p["agent_id"]: {"id": p["agent_id"], "name": "%s %s" % (p["first_name"], p["last_name"]),
                                             "email": p["email"]} for p in self.d.people.values()}
        if req.qbool("include_activity_types"):
            res["activity_types"] = self.d.types
        return json_response(res)

    def check_new(self, body, need_all=True):
        """None when a create body is valid, else the error text."""
        for k in ("agent_id", "type_id", "start_time", "end_time"):
            if need_all and k not in body:
                return "Missing required field %s" % k
        ag = self.d.by_agent.get(body.get("agent_id"))
        if ag is None or ag["deleted"]:
            return "invalid agent_id"
        if body.get("type_id") not in self.d.types:
            return "invalid type_id"
        s, e = body.get("start_time"), body.get("end_time")
        if not isinstance(s, int) or not isinstance(e, int) or isinstance(s, bool) or isinstance(e, bool):
            return "start_time and end_time must be unix seconds (integers)"
        if e <= s:
            return "end_time must be after start_time"
        return None

    def create(self, req):
        try:
            body = common.body_object(req)
        except ValueError:
            return text_response(400, "invalid JSON")
        msg = self.check_new(body)
        if msg:
            return text_response(400, msg)
        if not body.get("allow_conflicts", False):
            # documented: overlapping activities of this agent are deleted
            for i in list(self.d.agent_acts.get(body["agent_id"], ())):
                a = self.d.acts[i]
                if a.start < body["end_time"] and a.end > body["start_time"]:
                    self.d.drop_act(i)
        a = self.d.new_act(body["agent_id"], body["type_id"], body["start_time"], body["end_time"],
                           body.get("description"))
        return json_response(a.json())

    def bulk(self, req):
        if self.bulk_delete == "no_route":
            return text_response(404, "404 page not found")
        try:
            body = common.body_object(req)
        except ValueError:
            return text_response(400, "invalid JSON")
        items = body.get("activities")
        if self.bulk_delete == "beta_off" and isinstance(items, list) and \
                any(isinstance(it, dict) and it.get("action") in ("update", "delete") for it in items):
            return common.Response(400, body=BETA_OFF_BODY.encode(), ctype="application/json")
        if not isinstance(items, list) or not items:
            return text_response(400, "Missing required field activities")
        if len(items) > BULK_MAX:
            return text_response(400, "too many activities in one request (maximum %d)" % BULK_MAX)
        # validate everything first: a transaction applies all or nothing
        seen_del = set()
        for k, it in enumerate(items):
            if not isinstance(it, dict) or not isinstance(it.get("activity"), dict):
                return text_response(400, "activities[%d]: expected {action, activity}" % k)
            act, action = it["activity"], it.get("action")
            if action == "create":
                msg = self.check_new(act)
                if msg:
                    return text_response(400, "activities[%d]: %s" % (k, msg))
            elif action in ("update", "delete"):
                aid = act.get("id")
                if aid not in self.d.acts or aid in seen_del:
                    return text_response(400, "activities[%d]: activity %s not found" % (k, aid))
                if action == "delete":
                    seen_del.add(aid)
                else:
                    cur = self.d.acts[aid]
                    merged = {"agent_id": act.get("agent_id", cur.agent_id),
                              "type_id": act.get("type_id", cur.type_id),
                              "start_time": act.get("start_time", cur.start),
                              "end_time": act.get("end_time", cur.end)}
                    msg = self.check_new(merged)
                    if msg:
                        return text_response(400, "activities[%d]: %s" % (k, msg))
            else:
                return text_response(400, "activities[%d]: unknown action %r" % (k, action))
        out = {}
        now = int(time.time())
        for it in items:
            act, action = it["activity"], it["action"]
            if action == "create":
                a = self.d.new_act(act["agent_id"], act["type_id"], act["start_time"], act["end_time"],
                                   act.get("description"))
                out[a.id] = a.json()
            elif action == "delete":
                self.d.drop_act(act["id"])
            else:
                a = self.d.acts[act["id"]]
                if "agent_id" in act and act["agent_id"] != a.agent_id:
                    self.d.agent_acts.get(a.agent_id, set()).discard(a.id)
                    a.agent_id = act["agent_id"]
                    self.d.agent_acts.setdefault(a.agent_id, set()).add(a.id)
                a.type_id = act.get("type_id", a.type_id)
                a.start = act.get("start_time", a.start)
                a.end = act.get("end_time", a.end)
                if "description" in act:
                    a.description = act["description"]
                a.updated = now
                out[a.id] = a.json()
        return json_response({"activities": out})

    def window_delete(self, req):
        try:
            body = common.body_object(req)
        except ValueError:
            return text_response(400, "invalid JSON")
        ids, s, e = body.get("agent_ids"), body.get("start_time"), body.get("end_time")
        if not isinstance(ids, list) or not ids or not isinstance(s, int) or not isinstance(e, int) or e <= s:
            return text_response(400, "agent_ids, start_time and end_time are required")
        for agent in ids:
            for i in list(self.d.agent_acts.get(agent, ())):
                a = self.d.acts[i]
                if not (a.start < e and a.end > s):
                    continue
                if a.start >= s and a.end <= e:
                    self.d.drop_act(i)
                elif a.start < s and a.end > e:      # the window is inside: two pieces remain
                    self.d.new_act(a.agent_id, a.type_id, e, a.end, a.description)
                    a.end = s
                elif a.start < s:
                    a.end = s
                else:
                    a.start = e
        return json_response({})

    # ---- control ----
    def control(self, req):
        p, m = req.path, req.method
        if p == "/_control/activities" and m == "GET":
            with self.w.lock:
                acts = {a.id: a.json() for a in self.d.acts.values()}
            return json_response({"activities": acts, "count": len(acts)})
        if p == "/_control/activities" and m == "POST":
            try:
                body = common.body_object(req)
            except ValueError as e:
                return json_response({"error": str(e)}, 400)
            with self.w.lock:
                if "type" in body and "type_id" not in body:
                    body["type_id"] = self.d.type_by_name.get(body["type"])
                if "hibob_id" in body and "agent_id" not in body:
                    a = self.d.agent_map().get(body["hibob_id"])
                    body["agent_id"] = a["agent_id"] if a else None
                msg = self.check_new(body)
                if msg:
                    return json_response({"error": msg}, 400)
                a = self.d.new_act(body["agent_id"], body["type_id"], body["start_time"],
                                   body["end_time"], body.get("description"))
                return json_response(a.json())
        mm = re.match(r"^/_control/activities/([^/]+)$", p)
        if mm and m == "DELETE":
            with self.w.lock:
                a = self.d.drop_act(mm.group(1))
            if a is None:
                return json_response({"error": "no such activity"}, 404)
            return json_response({"deleted": a.id})
        if p == "/_control/people" and m == "GET":
            with self.w.lock:
                return json_response({"people": [self.d.people[i] for i in self.d.order],
                                      "agents": self.d.agent_map()})
        if p == "/_control/people" and m == "POST":
            return self.ctl_people(req)
        if p == "/_control/listing":
            if m == "POST":
                try:
                    body = common.body_object(req)
                    new = dict(LISTING_DEFAULTS)
                    for k, v in body.items():
                        if k not in LISTING_DEFAULTS or not isinstance(v, int) or isinstance(v, bool) or v < 0:
                            raise ValueError("%s: a count >= 0 (0 = no limit), one of %s" %
                                             (k, ", ".join(LISTING_DEFAULTS)))
                        new[k] = v
                except ValueError as e:
                    return json_response({"error": str(e)}, 400)
                with self.w.lock:
                    self.listing = new
            with self.w.lock:
                return json_response(dict(self.listing))
        if p == "/_control/bulk_delete":
            if m == "POST":
                try:
                    body = common.body_object(req)
                except ValueError as e:
                    return json_response({"error": str(e)}, 400)
                mode = body.get("mode", "enabled")
                if mode not in BULK_DELETE_MODES:
                    return json_response({"error": "mode: one of %s" % ", ".join(BULK_DELETE_MODES)}, 400)
                with self.w.lock:
                    self.bulk_delete = mode
            with self.w.lock:
                return json_response({"mode": self.bulk_delete})
        if p == "/_control/ratelimit" and m == "POST":
            try:
                body = common.body_object(req)
            except ValueError as e:
                return json_response({"error": str(e)}, 400)
            if body.get("off"):
                self.bucket = common.TokenBucket(0, 0)
            elif "per_minute" in body or "burst" in body:
                self.bucket = common.TokenBucket(body.get("per_minute", 300), body.get("burst", 20))
            else:
                self.bucket.reset()
            if "retry_after" in body:
                self.retry_after = body["retry_after"]
            return json_response({"per_minute": self.bucket.per_minute, "burst": self.bucket.burst,
                                  "retry_after": self.retry_after})
        return self.w.common_control(req)

    def ctl_people(self, req):
        """Change an Assembled person (found by hibob_id, email or id), or add one
        for a HiBob person with {"create": true, "hibob_id": ...}."""
        try:
            body = common.body_object(req)
        except ValueError as e:
            return json_response({"error": str(e)}, 400)
        with self.w.lock:
            if body.get("create"):
                p = self.w.company.by_id.get(body.get("hibob_id", ""))
                if p is None:
                    return json_response({"error": "create needs the hibob_id of a HiBob person"}, 400)
                a = self.d.add_agent(p, "hibob" if body.get("link", True) else "email",
                                     body.get("timezone", "site"), body.get("email"))
                return json_response(a)
            target = None
            for pid in self.d.order:
                a = self.d.people[pid]
                if (body.get("id") and a["id"] == body["id"]) or \
                   (body.get("hibob_id") and (a.get("platforms") or {}).get("hibob") == body["hibob_id"]) or \
                   (body.get("match_email") and a["email"].casefold() == body["match_email"].casefold()):
                    target = a
                    break
            if target is None:
                return json_response({"error": "no such Assembled person"}, 404)
            for k in ("timezone", "email", "deleted", "first_name", "last_name"):
                if k in body:
                    target[k] = body[k]
            if "platforms_hibob" in body:
                pl = dict(target.get("platforms") or {})
                if body["platforms_hibob"] is None:
                    pl.pop("hibob", None)
                else:
                    pl["hibob"] = body["platforms_hibob"]
                target["platforms"] = pl
            return json_response(target)
