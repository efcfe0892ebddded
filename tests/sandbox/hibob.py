"""hibob.py - a fake HiBob API (/v1) that keeps HiBob's quirks.

See docs/hibob-api.md (the spec this follows) and README.md here for the
control API.  Everything reads and writes the shared World under its lock.
"""
import bisect
import collections
import datetime as dt
import random
import re
import threading
import time

import common
from common import Response, json_response, empty_response
from company import (SITES, POLICY_TYPES, PRIVATE_PUBLIC_NAME,
                     LIFECYCLE_DUTCH, STATUS_DUTCH, HOURLY_TYPES, DAY_BY_DAY_TYPES, iso)

CATEGORIES = {  # categoryId: display name (what an admin sees in the permission UI)
    "root": "Basic info", "personal": "Personal", "home": "Home", "work": "Work",
    "employment": "Employment", "lifecycle": "Lifecycle",
}
SECTION_SCENARIOS = {"no_personal": "personal", "no_work": "work", "no_employment": "employment",
                     "no_lifecycle": "lifecycle"}
SCENARIOS = ("default", "no_field", "misnamed_field", "text_field", "bad_options", "no_personal",
             "no_work", "no_employment", "no_lifecycle", "missing_sections", "no_inactive_audience",
             "no_timeoff", "wrong_token", "no_edit", "localized", "historical_field", "put_ignored")
SEARCH_MAX_FIELDS = 400
DEFAULT_CATEGORIES = ("root", "work", "employment")   # "fields" omitted: no custom fields
ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$")


def scenario_state(name="default", sections=None):
    """The effects of a scenario, as flags."""
    if name not in SCENARIOS:
        raise ValueError("unknown scenario %r (one of %s)" % (name, ", ".join(SCENARIOS)))
    s = {"name": name, "hidden": set(), "field": "default", "no_inactive_audience": False,
         "no_timeoff": False, "wrong_token": False, "no_edit": False, "localized": False,
         "historical_field": False, "put_ignored": False}
    if name == "no_field":
        s["field"] = "none"
    elif name == "misnamed_field":
        s["field"] = "misnamed"
    elif name == "text_field":
        s["field"] = "text"
    elif name == "bad_options":
        s["field"] = "bad_options"
    elif name in SECTION_SCENARIOS:
        s["hidden"].add(SECTION_SCENARIOS[name])
    elif name == "missing_sections":
        for sec in sections or []:
            s["hidden"].add(section_id(sec))
    elif name in ("no_inactive_audience", "no_timeoff", "wrong_token", "no_edit", "localized",
                  "historical_field", "put_ignored"):
        s[name] = True
    return s


def section_id(name):
    n = str(name).strip().lower()
    for cid, disp in CATEGORIES.items():
        if n in (cid, disp.lower()):
            return cid
    raise ValueError("unknown section %r (one of %s)" % (name, ", ".join(CATEGORIES.values())))


def scenario_public(s):
    return {"name": s["name"], "hidden_sections": sorted(CATEGORIES[c] for c in s["hidden"]),
            "field": s["field"], "no_inactive_audience": s["no_inactive_audience"],
            "no_timeoff": s["no_timeoff"], "wrong_token": s["wrong_token"], "no_edit": s["no_edit"],
            "localized": s["localized"], "historical_field": s["historical_field"],
            "put_ignored": s["put_ignored"]}


def hr_date(s):
    """HiBob's human-readable date: 08/09/2019."""
    if not s:
        return None
    d = dt.date.fromisoformat(s[:10])
    return d.strftime("%d/%m/%Y")


def add_months(t, months):
    y, m = t.year, t.month + months
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    day = min(t.day, [31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31, 30, 31, 30,
                      31, 31, 30, 31, 30, 31][m - 1])
    return t.replace(year=y, month=m, day=day)


def err(status, key, message):
    return json_response({"key": key, "error": message}, status)


class Field:
    __slots__ = ("id", "cat", "name", "type", "list_id", "historical", "get", "set", "path",
                 "flat", "custom")

    def meta(self):
        parts = self.id.split(".")
        json_path = ".".join(parts[1:]) if parts[0] == "root" else self.id
        return {"id": self.id, "categoryId": self.cat, "categoryDisplayName": CATEGORIES[self.cat],
                "category": self.cat, "name": self.name, "description": None, "jsonPath": json_path,
                "type": self.type, "typeData": {"listId": self.list_id} if self.list_id else {},
                "historical": self.historical}


class HiBob:
    def __init__(self, world):
        self.w = world
        self.c = world.company
        self.core = None
        self.limits = {"search": 50, "fields": 50, "default": 100, "window": 60.0}
        self.windows = {}
        self.waf = {"threshold": 50, "window": 10.0, "block": 300.0}
        self.fail401 = collections.defaultdict(collections.deque)   # client ip -> times
        self.fail403 = collections.defaultdict(collections.deque)   # auth header -> times
        self.blocked = {}                                           # key -> until
        self.rl_lock = threading.Lock()
        self._reset_windows()

    def _reset_windows(self):
        self.windows = {k: common.FixedWindow(None if self.limits.get("off") else self.limits[k],
                                              self.limits["window"])
                        for k in ("search", "fields", "default")}

    # ---- field catalogue ----
    def fields(self):
        """The catalogue under the current scenario (list of Field)."""
        c = self.c
        s = self.w.scenario
        out = []

        def f(fid, cat, name, ftype, get, list_id=None, historical=False, setter=None):
            x = Field()
            x.id = fid
            x.cat = cat
            x.name = name
            x.type = ftype
            x.list_id = list_id
            x.historical = historical
            x.get = get
            x.set = setter
            parts = fid.split(".")
            x.path = tuple(parts[1:]) if parts[0] == "root" else tuple(parts)
            x.flat = "/" + "/".join(parts)
            x.custom = ".custom." in fid or fid.startswith("custom.")
            out.append(x)

        def mgr(p):
            m = c.by_id.get(p.manager) if p.manager else None
            if m is None:
                return None
            return {"id": m.id, "email": m.email, "firstName": m.first, "surname": m.surname,
                    "displayName": m.display()}

        def set_attr(attr):
            def setter(p, v):
                setattr(p, attr, v)
            return setter

        f("root.id", "root", "Employee ID", "text", lambda p: p.id)
        f("root.email", "root", "Email", "text", lambda p: p.email)
        f("root.firstName", "root", "First name", "text", lambda p: p.first, setter=set_attr("first"))
        f("root.surname", "root", "Last name", "text", lambda p: p.surname, setter=set_attr("surname"))
        f("root.displayName", "root", "Display name", "text", lambda p: p.display())
        f("root.fullName", "root", "Full name", "text", lambda p: p.display())
        f("root.creationDateTime", "root", "Creation date", "date", lambda p: p.created)
        f("personal.birthday", "personal", "Birthday", "date", lambda p: iso(p.birthday),
          setter=lambda p, v: setattr(p, "birthday", dt.date.fromisoformat(v) if v else None))
        f("personal.pronouns", "personal", "Pronouns", "text", lambda p: p.pronouns,
          setter=set_attr("pronouns"))
        f("home.privateEmail", "home", "Personal email", "text", lambda p: p.private_email,
          setter=set_attr("private_email"))
        f("work.startDate", "work", "Start date", "date", lambda p: iso(p.start), historical=True)
        f("work.department", "work", "Department", "list", lambda p: c.dept_ids[p.dept],
          "department", True)
        f("work.site", "work", "Site", "text", lambda p: SITES[p.site][0], historical=True)
        f("work.siteId", "work", "Site ID", "list", lambda p: c.site_ids[p.site], "site", True)
        f("work.title", "work", "Job title", "list", lambda p: p.title, "title", True)
        f("work.reportsTo", "work", "Reports to", "employee-reference", mgr, historical=True)
        f("work.manager", "work", "Manager", "text", lambda p: p.manager, historical=True)
        f("work.employeeIdInCompany", "work", "Employee ID in company", "number",
          lambda p: p.emp_no, setter=set_attr("emp_no"))
        fv = s["field"]
        if fv != "none":
            if fv == "text":
                f(c.ids["access"], "work", "alleo_access", "text",
                  lambda p: p.access if p.access else None, setter=set_attr("access"))
            elif fv == "bad_options":
                def bad_get(p):
                    if p.access in ("yes", "no", "maybe"):
                        return c.bad_item[p.access]
                    if p.index % 3 == 0:
                        return c.bad_item["maybe"]   # the admin's third option, used for some
                    return None
                f(c.ids["access"], "work", "alleo_access", "list", bad_get, c.ids["access_list"],
                  setter=lambda p, v: setattr(p, "access", next(
                      (k for k, i in c.bad_item.items() if i == v), None)))
            else:
                # historical_field: a column of a history table, which PUT
                # does not write (HiBob answers 304 and stores nothing)
                f(c.ids["access"], "work", "alleo" if fv == "misnamed" else "alleo_access", "list",
                  lambda p: c.access_item.get(p.access) if p.access else None, c.ids["access_list"],
                  s["historical_field"],
                  setter=lambda p, v: setattr(p, "access", next(
                      (k for k, i in c.access_item.items() if i == v), None)))
        f(c.ids["monthly"], "work", "alleo_monthly_all_budget", "number", lambda p: p.budget_monthly,
          setter=set_attr("budget_monthly"))
        f(c.ids["health"], "work", "alleo_oneoff_health_budget", "number", lambda p: p.budget_health,
          setter=set_attr("budget_health"))
        f(c.ids["cost_centre"], "work", "Cost centre", "hierarchy-list", lambda p: p.cost_centre,
          c.ids["cost_list"], setter=set_attr("cost_centre"))
        f("payroll.employment.type", "employment", "Employment type", "list", lambda p: p.emp_type,
          "employmentType", True)
        f("payroll.employment.contract", "employment", "Contract", "list", lambda p: p.contract,
          "contract", True)
        # lists: the values are item ids; the text is only in the named list
        # and in humanReadable (in the caller's language)
        f("internal.lifecycleStatus", "lifecycle", "Lifecycle status", "list",
          lambda p: c.lifecycle_ids.get(p.lifecycle), "lifecycleStatus", True)
        f("internal.status", "lifecycle", "Status", "list", lambda p: c.status_ids.get(p.status),
          "employeeStatus")
        f("internal.terminationDate", "lifecycle", "Termination date", "date", lambda p: iso(p.term))
        return out

    def lists(self):
        """listId -> items under the current scenario."""
        c = self.c
        s = self.w.scenario
        out = dict(c.lists)
        al = c.ids["access_list"]
        if s["field"] in ("none", "text"):
            out.pop(al, None)
        elif s["field"] == "bad_options":
            names = {"yes": "Yes please", "no": "Nope", "maybe": "maybe"}
            out[al] = [{"id": c.bad_item[k], "value": names[k], "name": names[k], "archived": False,
                        "children": []} for k in ("yes", "no", "maybe")]
        return out

    def display(self, f, v, lists):
        """Human-readable form of machine value v of field f."""
        if v is None:
            return None
        if f.id in ("internal.lifecycleStatus", "internal.status") and self.w.scenario["localized"]:
            for k, i in (self.c.lifecycle_ids if f.id == "internal.lifecycleStatus"
                         else self.c.status_ids).items():
                if i == v:
                    return LIFECYCLE_DUTCH.get(k) or STATUS_DUTCH.get(k) or k
        if f.type in ("list", "hierarchy-list"):
            if f.list_id == self.c.ids["access_list"] and self.w.scenario["field"] == "bad_options":
                for it in lists.get(f.list_id, []):
                    if it["id"] == v:
                        return it["name"]
            return self.c.item_name.get((f.list_id, str(v)), str(v))
        if f.type == "date":
            return hr_date(v)
        if f.type == "employee-reference":
            return v.get("displayName")
        if f.type == "number":
            return ("%g" % v) if isinstance(v, float) else str(v)
        return v

    # ---- plumbing ----
    def rl_headers(self, bucket, key):
        ok, limit, remaining, reset = self.windows[bucket].hit(key)
        if limit == 0:
            limit, remaining = 1000000, 1000000
        return ok, {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining),
                    "X-RateLimit-Reset": str(reset)}

    def waf_note(self, kind, key):
        now = time.time()
        with self.rl_lock:
            dq = (self.fail401 if kind == 401 else self.fail403)[key]
            dq.append(now)
            while dq and now - dq[0] > self.waf["window"]:
                dq.popleft()
            if len(dq) > self.waf["threshold"]:
                self.blocked[(kind, key)] = now + self.waf["block"]
                dq.clear()

    def waf_blocked(self, ip, auth):
        now = time.time()
        with self.rl_lock:
            for k in ((401, ip), (403, auth)):
                until = self.blocked.get(k)
                if until is not None:
                    if now < until:
                        return True
                    del self.blocked[k]
        return False

    def handle(self, req):
        auth_hdr = req.headers.get("Authorization", "")
        if self.waf_blocked(req.client, auth_hdr):
            return common.text_response(403, "<html><body><h1>403 Forbidden</h1>Request blocked.</body></html>")
        path = req.path
        if not path.startswith("/v1/"):
            return err(404, "not_found", "no such endpoint")
        sub = path[3:]
        bucket = "search" if sub == "/people/search" else "fields" if sub == "/company/people/fields" else "default"
        ok, hdr = self.rl_headers(bucket, auth_hdr)
        cred = req.basic_auth()
        with self.w.lock:
            good = (cred is not None and cred[0] == self.c.ids["service_user_id"]
                    and cred[1] == self.c.ids["token"] and not self.w.scenario["wrong_token"])
        if not good:
            self.waf_note(401, req.client)
            return empty_response(401, hdr)
        if not ok:
            # HiBob documents the X-RateLimit-* headers and no Retry-After
            r = err(429, "too_many_requests", "Rate limit exceeded")
            r.headers.update(hdr)
            return r
        resp = self.route(req, sub)
        resp.headers.update(hdr)
        if resp.status == 403:
            self.waf_note(403, auth_hdr)
        return resp

    def route(self, req, sub):
        m = req.method
        if sub == "/company/people/fields" and m == "GET":
            with self.w.lock:
                return json_response([f.meta() for f in self.fields()])
        if sub == "/company/named-lists" and m == "GET":
            return self.named_lists(req, None)
        if sub.startswith("/company/named-lists/") and m == "GET":
            return self.named_lists(req, sub[len("/company/named-lists/"):])
        if sub == "/people/search" and m == "POST":
            return self.search(req)
        if sub.startswith("/people/") and sub.count("/") == 2:
            ident = sub[len("/people/"):]
            if m == "POST":
                return self.read_one(req, ident)
            if m == "PUT":
                return self.update(req, ident)
            return err(404, "not_found", "GET /people endpoints were removed; use POST")
        if sub.startswith("/timeoff/"):
            with self.w.lock:
                if self.w.scenario["no_timeoff"]:
                    return err(403, "forbidden", "The service user does not have permissions to access time off")
            if m != "GET":
                return err(404, "not_found", "no such endpoint")
            if sub == "/timeoff/requests/changes":
                return self.changes(req)
            if sub == "/timeoff/whosout":
                return self.whosout(req)
            if sub == "/timeoff/outtoday":
                return self.outtoday(req)
            if sub == "/timeoff/policy-types":
                return json_response({"policyTypes": list(POLICY_TYPES)})
            if sub.startswith("/timeoff/policy-types/"):
                name = sub[len("/timeoff/policy-types/"):]
                pt = POLICY_TYPES.get(name)
                if pt is None:
                    return err(404, "not_found", "Policy type not found")
                return json_response({"name": name, "activity": pt[0], "bookingWorkDaysOnly": pt[2],
                                      "unit": pt[1]})
            mm = re.match(r"^/timeoff/employees/([^/]+)/requests/([^/]+)$", sub)
            if mm:
                return self.request_details(req, mm.group(1), mm.group(2))
        return err(404, "not_found", "no such endpoint")

    # ---- metadata ----
    def named_lists(self, req, name):
        arch = req.qbool("includeArchived", False)

        def clean(items):
            out = []
            for it in items:
                if it["archived"] and not arch:
                    continue
                d = dict(it)
                d["children"] = clean(it["children"])
                out.append(d)
            return out
        with self.w.lock:
            lists = self.lists()
            if name is None:
                return json_response({k: {"name": k, "values": clean(v)} for k, v in lists.items()})
            if name not in lists:
                return err(404, "not_found", "List %s not found" % name)
            return json_response({"name": name, "values": clean(lists[name])})

    # ---- people ----
    def audience(self, p):
        return not (self.w.scenario["no_inactive_audience"] and p.lifecycle in ("hired", "terminated"))

    def visible(self, f):
        return f.cat not in self.w.scenario["hidden"]

    def plan(self, wanted, human):
        """Field plan for rendering: [(field, ...)] of visible known fields."""
        fields = self.fields()
        by_id = {f.id: f for f in fields}
        if wanted is None:
            sel = [f for f in fields if f.cat in DEFAULT_CATEGORIES and not f.custom]
        else:
            sel = []
            seen = set()
            for fid in wanted:
                f = by_id.get(fid)
                if f is not None and fid not in seen:     # unknown ids: silently omitted
                    seen.add(fid)
                    sel.append(f)
        return [f for f in sel if self.visible(f)]

    def render(self, p, plan, human, lists, now):
        p = self.w.view(p, now)
        emp = {}
        hr = {} if human == "APPEND" else None
        for f in plan:
            v = f.get(p)
            d = self.display(f, v, lists) if human else None
            out = d if human == "REPLACE" else v
            path = f.path
            if len(path) == 1:
                emp[path[0]] = out
            else:
                node = emp
                for k in path[:-1]:
                    node = node.setdefault(k, {})
                node[path[-1]] = out
            emp[f.flat] = {"value": out}
            if hr is not None and d is not None:
                node = hr
                for k in path[:-1]:
                    node = node.setdefault(k, {})
                node[path[-1]] = d
        if hr:
            emp["humanReadable"] = hr
        return emp

    def parse_people_body(self, req, search):
        try:
            body = common.body_object(req)
        except ValueError as e:
            raise BadRequest("invalid JSON body: %s" % e)
        fields = body.get("fields")
        if fields is not None:
            if not isinstance(fields, list) or not all(isinstance(x, str) for x in fields):
                raise BadRequest("fields must be an array of field ids")
            if len(fields) > SEARCH_MAX_FIELDS:
                raise BadRequest("Too many fields requested (maximum %d)" % SEARCH_MAX_FIELDS)
        human = body.get("humanReadable")
        if human is None or human == "":
            human = None
        elif isinstance(human, str) and human.upper() in ("APPEND", "REPLACE"):
            human = human.upper()
        else:
            raise BadRequest("humanReadable must be APPEND or REPLACE")
        filt = None
        if search and "filters" in body:
            fl = body["filters"]
            if not isinstance(fl, list) or len(fl) == 0:
                raise BadRequest("filters must be a non-empty array; omit it to read everyone")
            if len(fl) > 1:
                raise BadRequest("Only one filter is supported")
            f0 = fl[0]
            if not isinstance(f0, dict):
                raise BadRequest("invalid filter")
            if f0.get("fieldPath") not in ("root.id", "root.email"):
                raise BadRequest("Unsupported filter fieldPath %r: only root.id and root.email"
                                 % f0.get("fieldPath"))
            if f0.get("operator") != "equals":
                raise BadRequest("Unsupported filter operator %r" % f0.get("operator"))
            vals = f0.get("values")
            if not isinstance(vals, list) or not vals or not all(isinstance(v, str) for v in vals):
                raise BadRequest("filter values must be a non-empty array of strings")
            filt = (f0["fieldPath"], set(v.lower() if f0["fieldPath"] == "root.email" else v for v in vals))
        show = body.get("showInactive", False)
        if search and not isinstance(show, bool):
            raise BadRequest("showInactive must be a boolean")
        return fields, human, filt, show

    def search(self, req):
        try:
            fields, human, filt, show = self.parse_people_body(req, True)
        except BadRequest as e:
            return err(400, "bad_request", str(e))
        now = time.time()
        with self.w.lock:
            plan = self.plan(fields, human)
            lists = self.lists()
            if filt is not None:
                if filt[0] == "root.id":
                    cand = [self.c.by_id[i] for i in filt[1] if i in self.c.by_id]
                else:
                    cand = [self.c.by_email[e] for e in filt[1] if e in self.c.by_email]
                cand.sort(key=lambda p: p.index)
            else:
                cand = self.c.people
            people = [p for p in cand if (show or p.status == "Active") and self.audience(p)]
        # rendering happens outside the lock, in pieces, so a 100,000-person
        # answer streams instead of being built whole
        return Response(200, stream=self.stream_people(people, plan, human, lists, now))

    def stream_people(self, people, plan, human, lists, now):
        yield b'{"employees":['
        step = 500
        for k in range(0, len(people), step):
            with self.w.lock:
                parts = [common.dumps(self.render(p, plan, human, lists, now))
                         for p in people[k:k + step]]
            yield (b"," if k else b"") + b",".join(parts)
        yield b"]}"

    def find(self, ident):
        if "@" in ident:
            return self.c.by_email.get(ident.lower())
        return self.c.by_id.get(ident)

    def read_one(self, req, ident):
        try:
            fields, human, _, _ = self.parse_people_body(req, False)
        except BadRequest as e:
            return err(400, "bad_request", str(e))
        now = time.time()
        with self.w.lock:
            p = self.find(ident)
            if p is None:
                return err(404, "not_found", "Employee not found")
            if not self.audience(p):
                return err(403, "forbidden", "The service user does not have permissions to access this employee")
            obj = self.render(p, self.plan(fields, human), human, self.lists(), now)
        # the docs leave the shape open: bare for ids, wrapped for e-mails
        if "@" in ident:
            return json_response({"employees": [obj]})
        return json_response(obj)

    def update(self, req, ident):
        try:
            body = common.body_object(req)
        except ValueError as e:
            return err(400, "bad_request", "invalid JSON body: %s" % e)
        now = time.time()
        leaves = []

        def walk(node, prefix):
            for k, v in node.items():
                if "." in k:
                    continue        # dotted ids are not a path HiBob knows: ignored
                path = prefix + [k]
                if isinstance(v, dict):
                    walk(v, path)
                else:
                    leaves.append((path, v))
        for k, v in body.items():
            if "." in k:
                continue
            if isinstance(v, dict) and k in ("work", "personal", "home", "payroll", "internal",
                                             "about", "custom", "employment"):
                walk(v, [k])
            elif not isinstance(v, dict):
                leaves.append((["root", k], v))
        with self.w.lock:
            p = self.c.by_id.get(ident)
            if p is None or not self.audience(p):
                return empty_response(304)
            by_id = {f.id: f for f in self.fields()}
            lists = self.lists()
            changes = []
            for path, v in leaves:
                f = by_id.get(".".join(path))
                # an unknown path, a read-only or historical field: ignored,
                # and with nothing else changed the answer is 304
                if f is None or f.set is None or f.historical:
                    continue
                if self.w.scenario["put_ignored"] and f.id == self.c.ids["access"]:
                    continue    # as if the path were wrong: 304, nothing stored
                if not self.visible(f) or self.w.scenario["no_edit"]:
                    return err(403, "forbidden", "The service user does not have Edit permission on %s"
                               % CATEGORIES[f.cat])
                if v is not None:
                    if f.type in ("list", "hierarchy-list"):
                        ids = set()
                        stack = list(lists.get(f.list_id, []))
                        while stack:
                            it = stack.pop()
                            if not it["archived"]:
                                ids.add(str(it["id"]))
                            stack.extend(it["children"])
                        if str(v) not in ids:
                            return err(400, "invalid_value", "Value %r is not an item of list %s"
                                       % (v, f.list_id))
                        v = str(v)
                    elif f.type == "number":
                        if isinstance(v, bool) or not isinstance(v, (int, float)):
                            return err(400, "invalid_value", "%s must be a number" % f.id)
                    elif f.type == "date":
                        try:
                            dt.date.fromisoformat(str(v))
                        except ValueError:
                            return err(400, "invalid_value", "%s must be a date YYYY-MM-DD" % f.id)
                    elif not isinstance(v, str):
                        return err(400, "invalid_value", "%s must be text" % f.id)
                if f.get(p) != v:
                    changes.append((f, v))
            if not changes:
                return empty_response(304)
            old = {}
            for attr in p.__slots__:
                if attr not in ("stale", "index"):
                    old[attr] = getattr(p, attr)
            for f, v in changes:
                f.set(p, v)
            if self.w.staleness > 0:
                prev = p.stale[1] if p.stale and now < p.stale[0] else old
                p.stale = (now + self.w.staleness, prev)
        return Response(200, body=b"", ctype=None)

    # ---- time off ----
    def policy_names(self, q, include_private):
        pt = POLICY_TYPES.get(q.policy)
        if pt and pt[3] and not include_private:
            return PRIVATE_PUBLIC_NAME, PRIVATE_PUBLIC_NAME
        return q.policy, q.policy

    def amounts(self, q):
        """(durationUnit, totalDuration, totalCost)."""
        unit = POLICY_TYPES.get(q.policy, ("", "days"))[1]
        s = q.start
        e = q.end or q.start
        days = (e - s).days + 1
        work = sum(1 for k in range(days) if (s + dt.timedelta(days=k)).weekday() < 5)
        if q.type == "days" or q.type == "openEnded":
            cut = 0.0
            if q.start_portion in ("morning", "afternoon"):
                cut += 0.5
            if q.end_portion in ("morning", "afternoon") and e != s:
                cut += 0.5
            if e == s and q.start_portion in ("morning", "afternoon"):
                cut = 0.5
            return "days", days - cut, max(0.0, work - cut)
        if q.type == "hours":
            h = q.spec["hoursOnDate"] + q.spec.get("minutes", 0) / 60.0
            return "hours", h, h
        if q.type == "hoursOnRange":
            return "hours", days * q.spec["dailyHours"], work * q.spec["dailyHours"]
        if q.type == "portionOnRange":
            return "days", days * 0.5, work * 0.5
        if q.type == "percentageOnRange":
            pc = q.spec["percentageOfDay"] / 100.0
            return unit, round(days * pc, 2), round(work * pc, 2)
        if q.type == "differentDayDurations":
            h = sum(d["hours"] + d.get("minutes", 0) / 60.0 for d in q.spec["durations"])
            return "hours", h, h
        h = 0.0
        for d in q.spec.get("durations", []):
            a = [int(x) for x in d["startTime"].split(":")]
            b = [int(x) for x in d["endTime"].split(":")]
            h += (b[0] * 60 + b[1] - a[0] * 60 - a[1]) / 60.0
        return "hours", h, h

    def type_fields(self, q, out, portion_keys):
        """Per-type keys; portion_keys is ("startPortion","endPortion") or the Date* pair."""
        sp, ep = portion_keys
        out["startDate"] = iso(q.start)
        out["endDate"] = iso(q.end)
        if q.type in ("days", "openEnded"):
            out[sp] = q.start_portion
            out[ep] = q.end_portion
        if q.type == "hours":
            out["date"] = iso(q.start)
            out["hoursOnDate"] = q.spec["hoursOnDate"]
            out["minutes"] = q.spec.get("minutes", 0)
        elif q.type == "portionOnRange":
            out["dayPortion"] = q.spec["dayPortion"]
        elif q.type == "hoursOnRange":
            out["dailyHours"] = q.spec["dailyHours"]
            out["minutes"] = q.spec.get("minutes", 0)
        elif q.type == "percentageOnRange":
            out["percentageOfDay"] = q.spec["percentageOfDay"]
        if "timeZone" in q.spec:
            out["timeZone"] = q.spec["timeZone"]
        if q.type in DAY_BY_DAY_TYPES:
            out["durations"] = [dict(d) for d in q.spec["durations"]]

    def snapshot(self, ev):
        """One changes-feed item: the request as it was at change time, with
        only the keys of the published TimeoffChange schema (no status, no
        chain ids, no change time) unless the old easy feed is switched on."""
        ts, change, q, status, desc = ev
        p = q.emp
        unit, total, cost = self.amounts(q)
        pol, disp = self.policy_names(q, True)
        out = {"changeType": change, "employeeId": p.id, "employeeDisplayName": p.display(),
               "employeeEmail": p.email, "requestId": q.id,
               "policyTypeDisplayName": disp, "type": q.type, "startDate": None, "startPortion": None,
               "endDate": None, "endPortion": None, "dayPortion": None, "date": None,
               "hoursOnDate": None, "dailyHours": None, "durationUnit": unit,
               "totalDuration": total, "totalCost": cost, "changeReason": None}
        self.type_fields(q, out, ("startPortion", "endPortion"))
        if self.w.toff_api["feed_status"]:
            out["policyType"] = pol
            out["status"] = status
            out["visibility"] = "Private" if is_private(q) else "Public"
            out["description"] = desc
            if q.original is not None:
                out["originalRequestId"] = q.original
            if q.previous is not None:
                out["previousRequestId"] = q.previous
        return out

    def hidden(self, q):
        """A private-policy request the service user may not see."""
        return is_private(q) and not self.w.toff_api["private_permission"]

    def changes(self, req):
        since_s = req.q("since")
        to_s = req.q("to")
        if not since_s:
            return err(400, "bad_request", "since is required")

        def parse(s, name):
            if " " in s or not ISO_INSTANT.match(s):
                raise BadRequest("%s must be an ISO 8601 date-time with an offset, e.g. "
                                 "2026-04-05T14:30:24.345Z (URL-encode '+')" % name)
            try:
                return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
            except ValueError:
                raise BadRequest("%s is not a valid date-time" % name)
        now = dt.datetime.now(dt.timezone.utc)
        try:
            since = parse(since_s, "since")
            if to_s:
                to = parse(to_s, "to")
                if to <= since:
                    raise BadRequest("to must be after since")
                if to > add_months(since, 6):
                    raise BadRequest("The range between since and to must not exceed 6 months")
            else:
                to = now
                if since < add_months(now, -6):
                    raise BadRequest("since must not be more than 6 months ago without to")
        except BadRequest as e:
            return err(400, "bad_request", str(e))
        pending = req.qbool("includePending", False)
        a, b = since.timestamp(), to.timestamp()
        with self.w.lock:
            ev = self.c.events
            keys = self.w.event_times()
            i = bisect.bisect_left(keys, a)
            j = bisect.bisect_left(keys, b)
            out = []
            for e in ev[i:j]:
                if e[3] == "pending" and not pending:
                    continue
                if not self.audience(e[2].emp) or self.hidden(e[2]):
                    continue
                out.append(self.snapshot(e))
            order = self.w.toff_api["feed_order"]
        if order == "newest_first":
            out.reverse()
        elif order == "shuffled":
            random.Random(len(out)).shuffle(out)
        return json_response({"changes": out})

    def out_item(self, q, include_private):
        p = q.emp
        unit, total, cost = self.amounts(q)
        pol, disp = self.policy_names(q, include_private)
        out = {"employeeId": p.id, "employeeDisplayName": p.display(), "policyType": pol,
               "policyTypeDisplayName": disp, "requestId": q.id, "status": q.status, "type": q.type,
               "startDate": None, "startPortion": None, "endDate": None, "endPortion": None,
               "dayPortion": None, "date": None, "hoursOnDate": None, "minutes": None,
               "dailyHours": None, "totalCost": cost}
        self.type_fields(q, out, ("startPortion", "endPortion"))
        if self.w.toff_api["whosout_lean"]:
            # only the fields of HiBob's 2024 list (Request): no share of
            # the day, no per-day list, no time zone, no cost
            for k in ("percentageOfDay", "durations", "timeZone", "totalCost"):
                out.pop(k, None)
        if not self.w.toff_api["whosout_status"]:
            del out["status"]
        return out

    def outs(self, req, start, end):
        hourly = req.qbool("includeHourly", False)
        pending = req.qbool("includePending", False)
        private = req.qbool("includePrivate", False)
        site = req.q("siteId")
        res = []
        for q in self.c.requests:
            if q.deleted or not (q.status == "approved" or (pending and q.status == "pending")):
                continue
            if q.type in HOURLY_TYPES and not hourly:
                continue
            p = q.emp
            if p.status != "Active" or not self.audience(p):
                continue
            if site and str(self.c.site_ids[p.site]) != site:
                continue
            if private and self.hidden(q):
                continue    # includePrivate=true without the permission: silently missing
            qe = q.end if q.end is not None else dt.date.max
            if q.start > end or qe < start:
                continue
            res.append(q)
        return res, private

    def whosout(self, req):
        try:
            a = dt.date.fromisoformat(req.q("from") or "")
            b = dt.date.fromisoformat(req.q("to") or "")
        except ValueError:
            return err(400, "bad_request", "from and to are required dates (YYYY-MM-DD)")
        if b < a:
            return err(400, "bad_request", "to must not be before from")
        with self.w.lock:
            res, private = self.outs(req, a, b)
            return json_response({"outs": [self.out_item(q, private) for q in res]})

    def outtoday(self, req):
        try:
            day = dt.date.fromisoformat(req.q("today")) if req.q("today") else self.c.today
        except ValueError:
            return err(400, "bad_request", "today must be a date (YYYY-MM-DD)")
        with self.w.lock:
            res, private = self.outs(req, day, day)
            out = []
            for q in res:
                p = q.emp
                _, disp = self.policy_names(q, private)
                o = {"employeeId": p.id, "employeeDisplayName": p.display(), "employeeEmail": p.email,
                     "policyTypeDisplayName": disp, "startDate": iso(q.start),
                     "startDatePortion": q.start_portion, "endDate": iso(q.end),
                     "endDatePortion": q.end_portion, "requestRangeType": q.type,
                     "dayPortion": q.spec.get("dayPortion"), "dailyHours": q.spec.get("dailyHours"),
                     "date": iso(q.start) if q.type == "hours" else None,
                     "hours": q.spec.get("hoursOnDate"), "minutes": q.spec.get("minutes")}
                out.append(o)
            return json_response({"outs": out})

    def details(self, q, daily=True):
        p = q.emp
        unit, total, cost = self.amounts(q)
        pol, disp = self.policy_names(q, True)
        # TimeoffRequest names the policy type by its display name only
        out = {"requestId": q.id, "employeeId": p.id, "policyTypeDisplayName": disp,
               "type": q.type, "status": q.status, "approved": q.status == "approved",
               "durationUnit": unit, "totalDuration": total, "totalCost": cost,
               "description": q.description, "reasonCode": None, "hasAttachment": False,
               "attachmentLinks": [],
               "createdOn": dt.datetime.fromtimestamp(q.created, dt.timezone.utc).isoformat(timespec="seconds"),
               "visibility": "Private" if POLICY_TYPES.get(q.policy, (0, 0, 0, 0))[3] else "Public",
               "approvedBy": None, "approvedAt": None, "declinedBy": None, "declinedAt": None,
               "declineReason": None,
               "previousRequestId": q.previous, "originalRequestId": q.original,
               "timeZoneOffset": None}
        if q.approved_at is not None:
            out["approvedBy"] = p.manager or "system"
            out["approvedAt"] = dt.datetime.fromtimestamp(q.approved_at, dt.timezone.utc).isoformat(timespec="seconds")
        if q.declined_at is not None:
            out["declinedBy"] = p.manager or "system"
            out["declinedAt"] = dt.datetime.fromtimestamp(q.declined_at, dt.timezone.utc).isoformat(timespec="seconds")
            out["declineReason"] = "Team is short-staffed that week"
        keys = ("startDatePortion", "endDatePortion") if q.date_keys else ("startPortion", "endPortion")
        self.type_fields(q, out, keys)
        if daily and q.type not in DAY_BY_DAY_TYPES and q.end is not None:
            per = cost / max(1, (q.end - q.start).days + 1)
            out["durations"] = [{"date": iso(q.start + dt.timedelta(days=k)), "duration": per,
                                 "cost": per if (q.start + dt.timedelta(days=k)).weekday() < 5 else 0,
                                 "unit": unit} for k in range((q.end - q.start).days + 1)]
        elif daily and q.type in DAY_BY_DAY_TYPES:
            for d in out["durations"]:
                d["cost"] = 1 if dt.date.fromisoformat(d["date"]).weekday() < 5 else 0
        return out

    def request_details(self, req, emp_id, rid):
        try:
            rid = int(rid)
        except ValueError:
            return err(404, "not_found", "Time off request not found")
        with self.w.lock:
            if self.w.toff_api["detail_forbidden"] or rid in self.w.toff_api["forbidden_requests"]:
                return err(403, "forbidden", "The service user does not have permissions to access "
                           "time off requests")
            q = self.c.req_by_id.get(rid)
            if (q is None or q.deleted or q.emp.id != emp_id or not self.audience(q.emp)
                    or self.hidden(q)):
                return err(404, "not_found", "Time off request not found")
            return json_response(self.details(q, req.qbool("includeDailyDurations", True)))

    # ---- faults ----
    def fault_omit(self, obj, opts):
        """Drop fields from every employee (default: every custom field)."""
        ids = opts.get("fields")
        emps = obj.get("employees") if isinstance(obj, dict) else None
        if emps is None and isinstance(obj, dict) and ("id" in obj or "/root/id" in obj):
            emps = [obj]
        if emps is None:
            return obj
        for e in emps:
            for key in list(e.keys()):
                if key.startswith("/"):
                    fid = key[1:].replace("/", ".")
                    if (ids is None and ".custom." in fid) or (ids is not None and fid in ids):
                        del e[key]
            for node in (e, e.get("humanReadable") or {}):
                targets = ids if ids is not None else [f for f in self.w.custom_ids()]
                for fid in targets:
                    parts = fid.split(".")
                    if parts[0] == "root":
                        node.pop(parts[1], None)
                        continue
                    n = node
                    for k in parts[:-1]:
                        n = n.get(k) if isinstance(n, dict) else None
                        if n is None:
                            break
                    if isinstance(n, dict):
                        n.pop(parts[-1], None)
                prune(node)
        return obj

    # ---- control ----
    def control(self, req):
        p, m = req.path, req.method
        if p == "/_control/person" and m == "POST":
            return self.w.ctl_person(req)
        if p == "/_control/timeoff" and m == "POST":
            return self.w.ctl_timeoff(req)
        if p == "/_control/state" and m == "GET":
            return self.w.ctl_state(req)
        if p == "/_control/expected" and m == "GET":
            with self.w.lock:
                return json_response(self.w.expected())
        if p == "/_control/ratelimit" and m == "POST":
            try:
                body = common.body_object(req)
            except ValueError as e:
                return json_response({"error": str(e)}, 400)
            for k in ("search", "fields", "default", "window"):
                if k in body:
                    self.limits[k] = body[k]
            if "off" in body:
                self.limits["off"] = bool(body["off"])
            for k in ("threshold", "window", "block"):
                if "waf_" + k in body:
                    self.waf[k] = float(body["waf_" + k])
            if body.get("waf_clear") or body.get("reset"):
                with self.rl_lock:
                    self.blocked.clear()
                    self.fail401.clear()
                    self.fail403.clear()
            self._reset_windows()
            return json_response({"limits": self.limits, "waf": self.waf})
        if p == "/_control/timeoff_api":
            if m == "POST":
                try:
                    body = common.body_object(req)
                    with self.w.lock:
                        self.w.toff_api = toff_api_state(body)
                except ValueError as e:
                    return json_response({"error": str(e)}, 400)
            with self.w.lock:
                return json_response(dict(self.w.toff_api))
        if p == "/_control/staleness" and m == "POST":
            try:
                self.w.staleness = float(common.body_object(req).get("seconds", 0))
            except (ValueError, TypeError) as e:
                return json_response({"error": str(e)}, 400)
            return json_response({"seconds": self.w.staleness})
        return self.w.common_control(req)


def is_private(q):
    return bool(POLICY_TYPES.get(q.policy, (0, 0, 0, False))[3])


# How the time-off reads behave; the strict reading by default, the old
# easy one only on request (/_control/timeoff_api).
TOFF_API_DEFAULTS = {"private_permission": False, "feed_status": False, "feed_order": "newest_first",
                     "detail_forbidden": False, "whosout_lean": True, "whosout_status": True,
                     "forbidden_requests": []}
FEED_ORDERS = ("newest_first", "chronological", "shuffled")


def toff_api_state(body):
    """The time-off options from a control body; {} restores the defaults."""
    st = dict(TOFF_API_DEFAULTS)
    for k, v in body.items():
        if k not in st:
            raise ValueError("unknown option %r (one of %s)" % (k, ", ".join(sorted(st))))
        if k == "feed_order":
            if v not in FEED_ORDERS:
                raise ValueError("feed_order must be one of %s" % ", ".join(FEED_ORDERS))
        elif k == "forbidden_requests":
            if not isinstance(v, list) or not all(isinstance(x, int) and not isinstance(x, bool)
                                                  for x in v):
                raise ValueError("forbidden_requests must be a list of request ids")
        elif not isinstance(v, bool):
            raise ValueError("%s must be true or false" % k)
        st[k] = v
    return st


class BadRequest(Exception):
    pass


def prune(node):
    """Drop the objects an omission left empty (work: {custom: {}})."""
    for k in list(node):
        v = node[k]
        if isinstance(v, dict) and not k.startswith("/") and k != "reportsTo":
            prune(v)
            if not v:
                del node[k]
