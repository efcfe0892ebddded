#!/usr/bin/python3
"""selftest.py - start the sandbox and check every endpoint, quirk and scenario.

    python3 tests/sandbox/selftest.py [-v] [-k SUBSTRING]
    python3 tests/sandbox/selftest.py --big 100000    time generation and one full search

Exit status 0 when every check passed.  Standard library only; talks to
the servers over loopback with urllib.
"""
import argparse
import base64
import datetime as dt
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
TODAY = "2026-11-24"
# noon UTC of TODAY: the seeded shifts lie around TODAY (14 days before to 60
# after), not around the real clock, so the checks that list shifts count
# from here; with time.time() they failed once the real date was 3 weeks on
TODAY_NOON = int(dt.datetime.fromisoformat(TODAY + "T12:00:00+00:00").timestamp())


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def header(self, name):
        return self.headers.get(name)


def call(method, url, body=None, headers=None, auth=None, timeout=30, raw=None):
    """One HTTP request; never raises for an HTTP status."""
    h = dict(headers or {})
    data = None
    if raw is not None:
        data = raw
    elif body is not None:
        data = json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    if auth is not None:
        h["Authorization"] = "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode()
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Resp(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Resp(e.code, e.headers, e.read())


class Sandbox:
    def __init__(self, *args):
        self.tmp = tempfile.mkdtemp(prefix="sandbox-selftest-")
        self.state_file = os.path.join(self.tmp, "state.json")
        self.log = open(os.path.join(self.tmp, "sandbox.log"), "w+")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen([PY, os.path.join(HERE, "sandbox.py"), "--state-file", self.state_file,
                                      "--lifetime", "900"] + list(args),
                                     stdout=self.log, stderr=subprocess.STDOUT)
        while not os.path.exists(self.state_file):
            if self.proc.poll() is not None or time.monotonic() - self.t0 > 120:
                self.log.seek(0)
                raise SystemExit("sandbox did not start:\n" + self.log.read())
            time.sleep(0.05)
        self.startup = time.monotonic() - self.t0
        with open(self.state_file) as f:
            self.st = json.load(f)
        s = self.st
        self.hb = s["hibob"]["url"]
        self.hb_auth = (s["hibob"]["service_user_id"], s["hibob"]["token"])
        self.asm = s["assembled"]["url"]
        self.asm_auth = (s["assembled"]["api_key"], "")
        self.scim = s["scim"]["url"]
        self.token_url = s["scim"]["token_url"]
        self.scim_cred = (s["scim"]["client_id"], s["scim"]["client_secret"])
        self.ctl = s["control"]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError("sandbox did not exit on SIGTERM")
        self.log.close()

    # helpers
    def c(self, server, method, path, body=None):
        r = call(method, self.ctl[server] + path, body)
        if r.status != 200 and r.status != 201:
            raise AssertionError("control %s %s -> %d %s" % (method, path, r.status, r.body[:300]))
        return r.json()

    def bob(self, method, path, body=None, auth="ok", **kw):
        a = self.hb_auth if auth == "ok" else auth
        return call(method, self.hb + path, body, auth=a, **kw)

    def search(self, body, **kw):
        return self.bob("POST", "/people/search", body, **kw)

    def asmc(self, method, path, body=None, auth="ok"):
        return call(method, self.asm + path, body, auth=self.asm_auth if auth == "ok" else auth)

    def token(self):
        r = call("POST", self.token_url, raw=b"grant_type=client_credentials",
                 headers={"Content-Type": "application/x-www-form-urlencoded"}, auth=self.scim_cred)
        assert r.status == 200, r.body
        return r.json()["access_token"]

    def scimc(self, method, path, body=None, token=None, ctype="application/scim+json"):
        h = {"Authorization": "Bearer " + (token or self.tok)}
        raw = json.dumps(body).encode() if body is not None else None
        if raw is not None:
            h["Content-Type"] = ctype
        return call(method, self.scim + path, headers=h, raw=raw)


CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def eq(a, b, what=""):
    if a != b:
        raise AssertionError("%s: expected %r, got %r" % (what, b, a))


def ok(cond, what):
    if not cond:
        raise AssertionError(what)


def item_names(sb, list_id):
    """item id -> name of one named list"""
    r = sb.bob("GET", "/company/named-lists/" + list_id).json()
    return {str(i["id"]): i["name"] for i in r["values"]}


def lifecycle_words(sb, emps):
    """The lifecycle and status of each employee as words (their values are list item ids)."""
    lc, st = item_names(sb, "lifecycleStatus"), item_names(sb, "employeeStatus")
    return [(lc[e["internal"]["lifecycleStatus"]].lower(), st.get(e["internal"].get("status")))
            for e in emps]


def people_all(sb, fields=None, **extra):
    body = {"showInactive": True}
    if fields is not None:
        body["fields"] = fields
    body.update(extra)
    r = sb.search(body)
    eq(r.status, 200, "search status")
    return r.json()["employees"]


# ---------------------------------------------------------------- HiBob: auth
@check
def hibob_auth_401_empty_body_with_ratelimit_headers(sb):
    for auth in (None, ("wrong", "creds"), (sb.hb_auth[0], sb.hb_auth[1] + "x")):
        r = call("GET", sb.hb + "/company/people/fields", auth=auth)
        eq(r.status, 401, "status for %r" % (auth,))
        eq(r.body, b"", "401 body")
        for h in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
            ok(r.header(h) is not None, "%s missing on 401" % h)


@check
def hibob_waf_blocks_after_too_many_401(sb):
    sb.c("hibob", "POST", "/_control/ratelimit", {"waf_threshold": 5, "waf_window": 10, "waf_block": 60,
                                                  "waf_clear": True})
    try:
        for _ in range(6):
            eq(sb.bob("GET", "/company/people/fields", auth=("x", "y")).status, 401, "bad auth")
        r = sb.bob("GET", "/company/people/fields")
        eq(r.status, 403, "good credentials from a blocked client")
    finally:
        sb.c("hibob", "POST", "/_control/ratelimit", {"waf_threshold": 50, "waf_clear": True})
    eq(sb.bob("GET", "/company/people/fields").status, 200, "after clearing the block")


# ---------------------------------------------------------------- HiBob: metadata
@check
def hibob_fields_metadata(sb):
    r = sb.bob("GET", "/company/people/fields")
    eq(r.status, 200, "status")
    fields = r.json()
    ok(isinstance(fields, list), "top-level array")
    by = {f["id"]: f for f in fields}
    for k in ("id", "categoryId", "categoryDisplayName", "category", "name", "description", "jsonPath",
              "type", "typeData", "historical"):
        ok(k in by["root.firstName"], "key %s" % k)
    eq(by["root.firstName"]["jsonPath"], "firstName", "root jsonPath drops root.")
    eq(by["work.department"]["typeData"], {"listId": "department"}, "department list")
    eq(by["work.siteId"]["typeData"], {"listId": "site"}, "siteId list")
    acc = [f for f in fields if f["name"] == "alleo_access"]
    eq(len(acc), 1, "one alleo_access field")
    a = acc[0]
    ok(a["id"].startswith("work.custom.field_") and len(a["id"].split("_")[-1]) == 13, "custom id " + a["id"])
    eq(a["type"], "list", "alleo_access type")
    ok(a["typeData"]["listId"].startswith("list_"), "generated list id")
    eq(a["categoryDisplayName"], "Work", "alleo_access category")
    names = {f["name"]: f for f in fields}
    for n in ("alleo_monthly_all_budget", "alleo_oneoff_health_budget"):
        eq(names[n]["type"], "number", n)
    cats = {f["categoryDisplayName"] for f in fields}
    for c in ("Basic info", "Personal", "Work", "Employment", "Lifecycle"):
        ok(c in cats, "category " + c)
    for fid in ("personal.birthday", "payroll.employment.type", "payroll.employment.contract",
                "internal.lifecycleStatus", "internal.status", "internal.terminationDate", "work.reportsTo",
                "work.title", "work.startDate"):
        ok(fid in by, fid)


@check
def hibob_named_lists(sb):
    r = sb.bob("GET", "/company/named-lists")
    eq(r.status, 200, "status")
    lists = r.json()
    ok(isinstance(lists, dict) and "department" in lists, "object keyed by list name")
    dep = lists["department"]["values"]
    ok(all(isinstance(i["id"], str) for i in dep), "department ids are strings")
    ok(all(isinstance(i["id"], int) for i in lists["site"]["values"]), "site ids are numbers")
    ok({"id", "value", "name", "archived", "children"} <= set(dep[0]), "item keys")
    ok(not any(i["archived"] for i in dep), "archived hidden by default")
    r = sb.bob("GET", "/company/named-lists/department?includeArchived=true")
    ok(any(i["archived"] for i in r.json()["values"]), "archived shown with includeArchived=true")
    eq(sb.bob("GET", "/company/named-lists/nope").status, 404, "unknown list")
    fields = sb.bob("GET", "/company/people/fields").json()
    acc = [f for f in fields if f["name"] == "alleo_access"][0]
    r = sb.bob("GET", "/company/named-lists/" + urllib.parse.quote(acc["typeData"]["listId"]))
    eq(sorted(i["name"] for i in r.json()["values"]), ["no", "yes"], "alleo_access options")
    hier = [f for f in fields if f["type"] == "hierarchy-list"]
    ok(hier, "a hierarchy-list field")
    r = sb.bob("GET", "/company/named-lists/" + hier[0]["typeData"]["listId"]).json()
    ok(any(i["children"] for i in r["values"]), "hierarchy has children")


# ---------------------------------------------------------------- HiBob: search
@check
def hibob_search_shapes(sb):
    st = sb.c("hibob", "GET", "/_control/state?summary=1")
    acc = st["field_ids"]["alleo_access"]
    emps = people_all(sb, ["root.id", "root.email", "work.department", "work.siteId", acc,
                           "internal.lifecycleStatus"])
    eq(len(emps), st["people_count"], "showInactive true returns everyone")
    e = emps[0]
    ok("id" in e and "/root/id" in e and e["/root/id"] == {"value": e["id"]}, "root top level and flat")
    ok("root" not in e, "no nested root object")
    ok(e["work"]["department"] == e["/work/department"]["value"], "nested and flat agree")
    ok(e["work"]["department"].isdigit(), "machine department is a list item id")
    ok(isinstance(e["work"]["siteId"], int), "siteId is a number")
    ok("humanReadable" not in e, "no humanReadable unless asked")
    with_acc = [x for x in emps if x["work"]["custom"][acc.split(".")[-1]] is not None]
    ok(with_acc, "some people have alleo_access")
    ok(any(x["work"]["custom"][acc.split(".")[-1]] is None for x in emps), "some have it unset")
    # APPEND
    for hr in ("APPEND", "append", "Append"):
        e2 = people_all(sb, ["root.id", "work.department", acc], humanReadable=hr)[0]
        eq(e2["humanReadable"]["work"]["department"], "Support", "APPEND display (%s)" % hr)
        ok(e2["work"]["department"].isdigit(), "APPEND keeps machine value")
    e3 = people_all(sb, ["root.id", "work.department", "work.startDate", acc], humanReadable="REPLACE")[0]
    eq(e3["work"]["department"], "Support", "REPLACE value")
    ok("/" in e3["work"]["startDate"], "REPLACE dates are display dates: " + e3["work"]["startDate"])
    eq(e3["work"]["custom"][acc.split(".")[-1]], "yes", "REPLACE list value")
    e4 = people_all(sb, ["root.id", "work.department"], humanReadable="")[0]
    ok("humanReadable" not in e4 and e4["work"]["department"].isdigit(), "'' is like absent")
    eq(sb.search({"humanReadable": "SOMETIMES"}).status, 400, "bad humanReadable")


@check
def hibob_search_defaults_and_inactive(sb):
    emps = sb.search({}).json()["employees"]
    st = sb.c("hibob", "GET", "/_control/state")
    active = [p for p in st["people"] if p["status"] == "Active"]
    eq(len(emps), len(active), "showInactive false: only Active people")
    e = emps[0]
    ok("work" in e and "startDate" in e["work"] and "email" in e, "default fields")
    ok("custom" not in e.get("work", {}), "custom fields never in the default set")
    ok("internal" not in e and "personal" not in e, "default set is root/work/employment only")
    all_ = lifecycle_words(sb, people_all(sb, ["root.id", "internal.lifecycleStatus",
                                               "internal.status"]))
    lcs = {x[0] for x in all_}
    for lc in ("employed", "hired", "terminated", "garden leave", "leave", "parental leave"):
        ok(lc in lcs, "lifecycle %s present" % lc)
    for lc, status in all_:
        want = "Inactive" if lc in ("hired", "terminated") else "Active"
        eq(status, want, "status consistent with lifecycle")


@check
def hibob_search_validation(sb):
    eq(sb.search({"fields": ["root.id"] * 401}).status, 400, "401 fields")
    eq(sb.search({"fields": ["root.id"] * 400}).status, 200, "400 fields")
    eq(sb.search({"filters": []}).status, 400, "filters []")
    eq(sb.search({"filters": {}}).status, 400, "filters {}")
    f = {"fieldPath": "root.id", "operator": "equals", "values": ["1"]}
    eq(sb.search({"filters": [f, f]}).status, 400, "two filters")
    eq(sb.search({"filters": [dict(f, fieldPath="work.department")]}).status, 400, "filter path")
    eq(sb.search({"filters": [dict(f, operator="contains")]}).status, 400, "filter operator")
    eq(sb.search({"filters": [dict(f, values=[])]}).status, 400, "empty values")
    r = call("POST", sb.hb + "/people/search", raw=b"{nope", auth=sb.hb_auth,
             headers={"Content-Type": "application/json"})
    eq(r.status, 400, "invalid JSON body")
    st = sb.c("hibob", "GET", "/_control/state")
    zoe = st["featured"]["zoe.lukasiewicz-ostergard"]
    email = [p["email"] for p in st["people"] if p["id"] == zoe][0]
    r = sb.search({"fields": ["root.id"], "filters": [{"fieldPath": "root.email", "operator": "equals",
                                                        "values": [email.upper()]}]})
    eq([e["id"] for e in r.json()["employees"]], [zoe], "filter by e-mail, any case")
    r = sb.search({"fields": ["root.id"], "filters": [dict(f, values=[zoe, "999"])]})
    eq([e["id"] for e in r.json()["employees"]], [zoe], "filter by id")
    e = sb.search({"fields": ["root.id", "work.nosuchfield", "bogus"],
                   "filters": [dict(f, values=[zoe])]}).json()["employees"][0]
    eq(sorted(e), ["/root/id", "id"], "unknown fields silently omitted")


@check
def hibob_search_rate_limit_429_without_retry_after(sb):
    sb.c("hibob", "POST", "/_control/ratelimit", {"search": 3})
    try:
        codes = [sb.search({"fields": ["root.id"]}) for _ in range(4)]
        eq([r.status for r in codes], [200, 200, 200, 429], "statuses")
        r = codes[-1]
        eq(r.header("X-RateLimit-Limit"), "3", "limit header")
        eq(r.header("X-RateLimit-Remaining"), "0", "remaining")
        reset = int(r.header("X-RateLimit-Reset"))
        ok(reset > time.time() and reset < time.time() + 61, "reset is epoch seconds")
        ok(r.header("Retry-After") is None, "no Retry-After")
        eq(codes[1].header("X-RateLimit-Remaining"), "1", "remaining counts down")
        eq(sb.bob("GET", "/company/people/fields").status, 200, "other endpoints unaffected")
    finally:
        sb.c("hibob", "POST", "/_control/ratelimit", {"search": 50})


@check
def hibob_read_one_both_shapes(sb):
    st = sb.c("hibob", "GET", "/_control/state")
    p = [x for x in st["people"] if x["id"] == st["featured"]["jose.nunez"]][0]
    r = sb.bob("POST", "/people/" + p["id"], {"fields": ["root.id", "root.email"]})
    eq(r.status, 200, "by id")
    eq(r.json()["id"], p["id"], "bare object for an id")
    r = sb.bob("POST", "/people/" + urllib.parse.quote(p["email"]), {})
    eq(r.json()["employees"][0]["id"], p["id"], "wrapped for an e-mail")
    eq(sb.bob("POST", "/people/1234", {}).status, 404, "unknown id")
    eq(sb.bob("GET", "/people/" + p["id"]).status, 404, "GET /people/{id} was removed")


@check
def hibob_put_semantics(sb):
    st = sb.c("hibob", "GET", "/_control/state")
    pid = st["featured"]["zoe.lukasiewicz-ostergard"]
    acc = st["field_ids"]["alleo_access"]
    fkey = acc.split(".")[-1]
    items = st["access_items"]

    def read():
        e = sb.bob("POST", "/people/" + pid, {"fields": [acc]}).json()
        return e["work"]["custom"][fkey]
    eq(read(), items["yes"], "starts yes")
    r = sb.bob("PUT", "/people/" + pid, {"work": {"custom": {fkey: items["no"]}}})
    eq(r.status, 200, "changed")
    eq(r.body, b"", "PUT 200 has an empty body")
    eq(read(), items["no"], "read back")
    eq(sb.bob("PUT", "/people/" + pid, {"work": {"custom": {fkey: items["no"]}}}).status, 304, "unchanged")
    eq(sb.bob("PUT", "/people/" + pid, {"work": {"nosuch": {fkey: items["yes"]}}}).status, 304, "wrong path")
    eq(sb.bob("PUT", "/people/" + pid, {acc: items["yes"]}).status, 304, "dotted key")
    eq(sb.bob("PUT", "/people/" + pid, {"work": {"custom": {fkey: "yes"}}}).status, 400, "name, not item id")
    eq(sb.bob("PUT", "/people/999", {"work": {"custom": {fkey: items["yes"]}}}).status, 304, "unknown person")
    eq(sb.bob("PUT", "/people/" + pid, {"work": {"department": "1"}}).status, 304, "historical field")
    # staleness
    sb.c("hibob", "POST", "/_control/staleness", {"seconds": 1.5})
    try:
        eq(sb.bob("PUT", "/people/" + pid, {"work": {"custom": {fkey: items["yes"]}}}).status, 200, "PUT yes")
        eq(read(), items["no"], "stale read right after the write")
        time.sleep(1.7)
        eq(read(), items["yes"], "fresh after the staleness window")
    finally:
        sb.c("hibob", "POST", "/_control/staleness", {"seconds": 0})
    sb.c("hibob", "POST", "/_control/scenario", {"name": "no_edit"})
    try:
        eq(sb.bob("PUT", "/people/" + pid, {"work": {"custom": {fkey: items["no"]}}}).status, 403, "no_edit")
    finally:
        sb.c("hibob", "POST", "/_control/scenario", {"name": "default"})
    r = sb.bob("PUT", "/people/" + pid, {"firstName": "Zoë", "work": {"custom": {fkey: items["yes"]}}})
    eq(r.status, 304, "root field and list unchanged")


# ---------------------------------------------------------------- HiBob: scenarios
def field_by_name(sb, name):
    return [f for f in sb.bob("GET", "/company/people/fields").json() if f["name"] == name]


@check
def hibob_scenarios_field(sb):
    acc = sb.c("hibob", "GET", "/_control/state?summary=1")["field_ids"]["alleo_access"]
    fkey = acc.split(".")[-1]
    try:
        sb.c("hibob", "POST", "/_control/scenario", {"name": "no_field"})
        eq(field_by_name(sb, "alleo_access"), [], "no_field: no field")
        e = people_all(sb, ["root.id", acc])[0]
        ok("custom" not in e.get("work", {}), "no_field: value omitted")
        sb.c("hibob", "POST", "/_control/scenario", {"name": "misnamed_field"})
        eq(field_by_name(sb, "alleo_access"), [], "misnamed: not under alleo_access")
        eq(len(field_by_name(sb, "alleo")), 1, "misnamed: named alleo")
        sb.c("hibob", "POST", "/_control/scenario", {"name": "text_field"})
        f = field_by_name(sb, "alleo_access")[0]
        eq((f["type"], f["typeData"]), ("text", {}), "text_field")
        vals = {e["work"]["custom"][fkey] for e in people_all(sb, ["root.id", acc])}
        ok({"yes", "no"} <= vals, "text values yes/no")
        sb.c("hibob", "POST", "/_control/scenario", {"name": "bad_options"})
        f = field_by_name(sb, "alleo_access")[0]
        vals = sb.bob("GET", "/company/named-lists/" + f["typeData"]["listId"]).json()["values"]
        eq(sorted(v["name"] for v in vals), ["Nope", "Yes please", "maybe"], "bad options")
        e = people_all(sb, ["root.id", acc], humanReadable="APPEND")
        shown = {x["humanReadable"]["work"]["custom"][fkey] for x in e if "humanReadable" in x
                 and "work" in x["humanReadable"]}
        ok({"Yes please", "Nope", "maybe"} <= shown, "bad_options display values %s" % shown)
    finally:
        sb.c("hibob", "POST", "/_control/scenario", {"name": "default"})
    eq(len(field_by_name(sb, "alleo_access")), 1, "default restored")


@check
def hibob_scenarios_sections(sb):
    fields = ["root.id", "personal.birthday", "work.startDate", "payroll.employment.type",
              "internal.lifecycleStatus"]
    cases = {"no_personal": "personal", "no_work": "work", "no_employment": "payroll",
             "no_lifecycle": "internal"}
    try:
        for name, top in cases.items():
            sb.c("hibob", "POST", "/_control/scenario", {"name": name})
            emps = people_all(sb, fields)
            ok(all(top not in e for e in emps), "%s: %s omitted" % (name, top))
            others = [v for v in cases.values() if v != top]
            ok(all(o in emps[0] for o in others), "%s: other sections kept" % name)
            eq(emps[0]["/root/id"]["value"], emps[0]["id"], "root still there")
            ok(len(sb.bob("GET", "/company/people/fields").json()) > 20, "metadata still complete")
        sb.c("hibob", "POST", "/_control/scenario", {"name": "missing_sections",
                                                     "sections": ["Personal", "Lifecycle"]})
        e = people_all(sb, fields)[0]
        ok("personal" not in e and "internal" not in e and "work" in e and "payroll" in e, "two sections hidden")
        r = call("POST", sb.ctl["hibob"] + "/_control/scenario", {"name": "missing_sections", "sections": ["Nope"]})
        eq(r.status, 400, "unknown section")
        eq(call("POST", sb.ctl["hibob"] + "/_control/scenario", {"name": "nope"}).status, 400, "unknown scenario")
    finally:
        sb.c("hibob", "POST", "/_control/scenario", {"name": "default"})
    e = people_all(sb, fields)[0]
    ok(all(k in e for k in ("personal", "work", "payroll", "internal")), "default restores sections")


@check
def hibob_lifecycle_as_list_ids_and_localized_text(sb):
    fields = ["root.id", "internal.lifecycleStatus", "internal.status"]
    meta = {f["id"]: f for f in sb.bob("GET", "/company/people/fields").json()}
    eq(meta["internal.lifecycleStatus"]["type"], "list", "lifecycle is a list")
    eq(meta["internal.status"]["typeData"]["listId"], "employeeStatus", "status list id")
    ok("Sabbatical" in item_names(sb, "lifecycleStatus").values(), "the company's own leave type")
    e = people_all(sb, fields, humanReadable="APPEND")[0]
    ok(e["internal"]["lifecycleStatus"].isdigit(), "the value is an item id")
    eq(e["humanReadable"]["internal"]["lifecycleStatus"],
       item_names(sb, "lifecycleStatus")[e["internal"]["lifecycleStatus"]], "English by default")
    try:
        sb.c("hibob", "POST", "/_control/scenario", {"name": "localized"})
        emps = people_all(sb, fields, humanReadable="APPEND")
        shown = {x["humanReadable"]["internal"]["lifecycleStatus"] for x in emps}
        ok("In dienst" in shown and "Employed" not in shown, "display text in Dutch")
        eq(emps[0]["internal"]["lifecycleStatus"], e["internal"]["lifecycleStatus"], "ids unchanged")
    finally:
        sb.c("hibob", "POST", "/_control/scenario", {"name": "default"})


@check
def hibob_scenarios_audience_timeoff_token(sb):
    try:
        sb.c("hibob", "POST", "/_control/scenario", {"name": "no_inactive_audience"})
        lcs = {x[0] for x in lifecycle_words(sb, people_all(sb, ["root.id", "internal.lifecycleStatus"]))}
        ok("hired" not in lcs and "terminated" not in lcs and "employed" in lcs, "no hired/terminated")
        sb.c("hibob", "POST", "/_control/scenario", {"name": "no_timeoff"})
        eq(sb.bob("GET", "/timeoff/whosout?from=%s&to=%s" % (TODAY, TODAY)).status, 403, "no_timeoff whosout")
        eq(sb.bob("GET", "/timeoff/policy-types").status, 403, "no_timeoff policy types")
        eq(sb.search({"fields": ["root.id"]}).status, 200, "people still readable")
        sb.c("hibob", "POST", "/_control/scenario", {"name": "wrong_token"})
        r = sb.bob("GET", "/company/people/fields")
        eq((r.status, r.body), (401, b""), "wrong_token")
    finally:
        sb.c("hibob", "POST", "/_control/scenario", {"name": "default"})
    eq(sb.bob("GET", "/company/people/fields").status, 200, "default again")
    eq(sb.bob("GET", "/timeoff/policy-types").status, 200, "time off again")


# ---------------------------------------------------------------- HiBob: time off
def iso_now(delta=0):
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=delta)).isoformat(timespec="milliseconds")


def changes(sb, since, to=None, pending=False, raw=False):
    q = "since=" + (since if raw else urllib.parse.quote(since, safe=""))
    if to:
        q += "&to=" + urllib.parse.quote(to, safe="")
    if pending:
        q += "&includePending=true"
    return sb.bob("GET", "/timeoff/requests/changes?" + q)


@check
def hibob_changes_validation(sb):
    eq(sb.bob("GET", "/timeoff/requests/changes").status, 400, "since required")
    since = iso_now(-7 * 86400)
    eq(changes(sb, since).status, 200, "encoded offset")
    eq(changes(sb, since, raw=True).status, 400, "raw '+' decoded as a space")
    eq(changes(sb, since.replace("+00:00", "Z")).status, 200, "Z")
    eq(changes(sb, "2026-11-20T10:00:00").status, 400, "no offset")
    eq(changes(sb, "yesterday").status, 400, "not a date")
    eq(changes(sb, iso_now(-200 * 86400)).status, 400, "older than 6 months without to")
    eq(changes(sb, iso_now(-200 * 86400), iso_now(-100 * 86400)).status, 200, "old window with to")
    eq(changes(sb, iso_now(-3600), iso_now(-7200)).status, 400, "to before since")
    eq(changes(sb, iso_now(-250 * 86400), iso_now()).status, 400, "window over 6 months")


TIMEOFF_CHANGE_KEYS = {"changeType", "employeeId", "employeeDisplayName", "employeeEmail", "requestId",
                       "policyTypeDisplayName", "type", "startDate", "startPortion", "endDate", "endPortion",
                       "dayPortion", "date", "hoursOnDate", "minutes", "dailyHours", "percentageOfDay",
                       "timeZone", "durations", "durationUnit", "totalDuration", "totalCost", "changeReason"}


def toff_api(sb, **opts):
    return sb.c("hibob", "POST", "/_control/timeoff_api", opts)


@check
def hibob_changes_strict_by_default(sb):
    since = iso_now(-7 * 86400)
    ch = changes(sb, since, pending=True).json()["changes"]
    extra = set().union(*(set(c) for c in ch)) - TIMEOFF_CHANGE_KEYS
    eq(extra, set(), "only TimeoffChange keys (no status, chain ids, change time)")
    toff_api(sb, feed_order="chronological")
    chrono = changes(sb, since, pending=True).json()["changes"]
    toff_api(sb)
    ok(len(ch) > 2 and ch != chrono and ch == chrono[::-1], "newest first by default")
    toff_api(sb, feed_order="shuffled")
    shuf = changes(sb, since, pending=True).json()["changes"]
    toff_api(sb)
    ok(shuf != chrono and sorted(map(json.dumps, shuf)) == sorted(map(json.dumps, chrono)), "shuffled")
    ex = sb.c("hibob", "GET", "/_control/expected")["timeoff"]["requests"]
    private = {r["request_id"] for r in ex if r["policy"] == "Medical"}
    ok(private and not any(c["requestId"] in private for c in ch), "private requests hidden")
    toff_api(sb, private_permission=True)
    ok(any(c["requestId"] in private for c in changes(sb, since, pending=True).json()["changes"]),
       "private requests with the permission")
    toff_api(sb)
    eq(call("POST", sb.ctl["hibob"] + "/_control/timeoff_api", {"feed_order": "sideways"}).status, 400,
       "bad option refused")


@check
def hibob_changes_content(sb):
    since = iso_now(-7 * 86400)
    toff_api(sb, feed_status=True, feed_order="chronological")
    try:
        ch = changes(sb, since).json()["changes"]
        chp = changes(sb, since, pending=True).json()["changes"]
    finally:
        toff_api(sb)
    ok(ch and len(chp) > len(ch), "includePending adds entries")
    ok(all(c["status"] != "pending" for c in ch), "no pending without includePending")
    ok(any(c["status"] == "pending" for c in chp), "pending with includePending")
    types = {c["changeType"] for c in chp}
    ok({"Created", "Canceled", "Deleted", "Updated"} <= types, "change types %s" % types)
    days = [c for c in ch if c["type"] == "days"]
    ok(days and all("startPortion" in c and "endPortion" in c for c in days), "changes use startPortion")
    ok(any("originalRequestId" in c and "previousRequestId" in c for c in ch), "edit chains")
    ok({"employeeId", "requestId", "employeeEmail", "policyTypeDisplayName", "totalCost"} <= set(ch[0]), "keys")
    ok(isinstance(ch[0]["requestId"], int), "requestId is an integer")
    eq(changes(sb, iso_now(5)).json()["changes"], [], "nothing in the future")
    mid = iso_now(-3 * 86400)
    a = changes(sb, since, mid, pending=True).json()["changes"]
    b = changes(sb, mid, iso_now(1), pending=True).json()["changes"]
    eq(len(a) + len(b), len(changes(sb, since, iso_now(1), pending=True).json()["changes"]),
       "windows split by change time without overlap")
    tps = {c["type"] for c in chp}
    for t in ("days", "hours", "portionOnRange", "hoursOnRange", "differentDayDurations",
              "specificHoursDayDurations", "differentSpecificHoursDayDurations", "percentageOnRange",
              "openEnded"):
        ok(t in tps, "type %s in the feed" % t)


@check
def hibob_changes_replay_gives_current_status(sb):
    """Replaying the whole (old, easy) feed in order ends in each request's current state."""
    toff_api(sb, feed_status=True, feed_order="chronological", private_permission=True)
    try:
        feed = changes(sb, iso_now(-30 * 86400), pending=True).json()["changes"]
    finally:
        toff_api(sb)
    last = {}
    for c in feed:
        last[c["requestId"]] = c
    ex = sb.c("hibob", "GET", "/_control/expected")["timeoff"]["requests"]
    bad = []
    for r in ex:
        c = last.get(r["request_id"])
        got = None if c is None else ("deleted" if c["changeType"] == "Deleted" else c["status"])
        if got != r["status"]:
            bad.append((r["request_id"], r["status"], got))
    eq(bad, [], "requests whose last feed entry disagrees with their status")
    # the same on a bigger company, generated here (rare orderings show up there)
    sys.path.insert(0, HERE)
    import company
    c = company.Company(10000, "1", dt.date.fromisoformat(TODAY))
    last = {}
    for e in c.events:
        last[e[2].id] = e
    bad = [q.id for q in c.requests if last[q.id][3] != ("approved" if q.deleted else q.status)
           or q.deleted != (last[q.id][1] == "Deleted")]
    eq(bad, [], "10,000 people: requests whose last entry disagrees")


@check
def hibob_control_timeoff_lifecycle(sb):
    toff_api(sb, feed_status=True, feed_order="chronological")
    try:
        control_timeoff_lifecycle(sb)
    finally:
        toff_api(sb)


def control_timeoff_lifecycle(sb):
    st = sb.c("hibob", "GET", "/_control/state?summary=1")
    emp = st["featured"]["zoe.lukasiewicz-ostergard"]
    t0 = iso_now(-0.5)
    r = sb.c("hibob", "POST", "/_control/timeoff", {"op": "create", "employee": emp, "status": "pending",
                                                    "startDate": "2026-12-14", "endDate": "2026-12-15"})
    rid = r["requestId"]
    ok(all(c["requestId"] != rid for c in changes(sb, t0).json()["changes"]), "pending hidden")
    sb.c("hibob", "POST", "/_control/timeoff", {"op": "approve", "requestId": rid})
    ch = [c for c in changes(sb, t0).json()["changes"] if c["requestId"] == rid]
    eq([(c["changeType"], c["status"]) for c in ch], [("Created", "approved")], "approved entry")
    r = sb.c("hibob", "POST", "/_control/timeoff", {"op": "edit", "requestId": rid, "endDate": "2026-12-16",
                                                    "changeType": "Created"})
    new = r["requestId"]
    ok(new != rid, "edit makes a new id")
    eq((r["request"]["previousRequestId"], r["request"]["originalRequestId"]), (rid, rid), "links")
    r2 = sb.c("hibob", "POST", "/_control/timeoff", {"op": "edit", "requestId": new, "startDate": "2026-12-15",
                                                     "changeType": "Updated"})
    eq((r2["request"]["previousRequestId"], r2["request"]["originalRequestId"]), (new, rid), "chain of 3")
    sb.c("hibob", "POST", "/_control/timeoff", {"op": "cancel", "requestId": r2["requestId"]})
    feed = [(c["requestId"], c["changeType"], c["status"]) for c in changes(sb, t0).json()["changes"]
            if c["requestId"] in (rid, new, r2["requestId"])]
    eq(feed, [(rid, "Created", "approved"), (rid, "Canceled", "canceled"), (new, "Created", "approved"),
              (new, "Canceled", "canceled"), (r2["requestId"], "Updated", "approved"),
              (r2["requestId"], "Canceled", "canceled")], "feed order and snapshots")
    r = sb.c("hibob", "POST", "/_control/timeoff", {"op": "create", "employee": emp, "startDate": "2026-12-21"})
    sb.c("hibob", "POST", "/_control/timeoff", {"op": "delete", "requestId": r["requestId"]})
    last = [c for c in changes(sb, t0).json()["changes"] if c["requestId"] == r["requestId"]][-1]
    eq(last["changeType"], "Deleted", "delete entry")
    eq(sb.bob("GET", "/timeoff/employees/%s/requests/%d" % (emp, r["requestId"])).status, 404, "deleted -> 404")
    r = sb.c("hibob", "POST", "/_control/timeoff", {"op": "create", "employee": emp, "status": "pending",
                                                    "startDate": "2026-12-22"})
    sb.c("hibob", "POST", "/_control/timeoff", {"op": "decline", "requestId": r["requestId"]})
    d = sb.bob("GET", "/timeoff/employees/%s/requests/%d" % (emp, r["requestId"])).json()
    eq(d["status"], "disapproved", "declined is disapproved")


@check
def hibob_webhooks_signed_in_order_with_modes(sb):
    import base64
    import hashlib
    import hmac
    import http.server
    import threading
    got = []

    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            got.append((self.headers.get("Bob-Signature"), body))
            self.send_response(401 if len(got) == 1 else 200)   # the first is retried
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/hook" % srv.server_port
    try:
        sb.c("hibob", "POST", "/_control/webhooks", {"url": url, "secret": "k3y", "mode": "normal",
                                                     "clear_log": True})
        emp = sb.c("hibob", "GET", "/_control/state?summary=1")["featured"]["zoe.lukasiewicz-ostergard"]
        r = sb.c("hibob", "POST", "/_control/timeoff", {"op": "create", "employee": emp, "status": "approved",
                                                        "startDate": "2026-12-28"})
        sb.c("hibob", "POST", "/_control/timeoff", {"op": "cancel", "requestId": r["requestId"]})
        t0 = time.time()
        while time.time() - t0 < 10 and len(got) < 4:
            time.sleep(0.05)
        eq(len(got), 4, "requested (sent twice: a 401 then 200), approved, cancelled")
        types = [json.loads(b)["type"] for _, b in got]
        eq(types, ["timeoff.request.requested", "timeoff.request.requested", "timeoff.request.approved",
                   "timeoff.request.cancelled"], "order")
        for sig, body in got:
            want = base64.b64encode(hmac.new(b"k3y", body, hashlib.sha512).digest()).decode()
            eq(sig, want, "Bob-Signature")
            d = json.loads(body)
            eq((d["version"], d["data"]["timeoffRequestId"], d["data"]["employeeId"]),
               ("v2", r["requestId"], emp), "payload ids")
        got.clear()
        sb.c("hibob", "POST", "/_control/webhooks", {"url": url, "secret": "k3y", "mode": "bad_signature"})
        before = [p for p in sb.c("hibob", "GET", "/_control/state")["people"] if p["id"] == emp][0]
        sb.c("hibob", "POST", "/_control/person", {"id": emp, "alleo_access": "no"})
        sb.c("hibob", "POST", "/_control/person", {"id": emp, "alleo_access": before["alleo_access"]})
        t0 = time.time()
        while time.time() - t0 < 10 and not got:
            time.sleep(0.05)
        sig, body = got[0]
        d = json.loads(body)
        eq((d["type"], "work.custom" in "".join(d["data"]["fieldUpdates"])), ("employee.updated", True),
           "employee.updated names the field")
        ok(sig != base64.b64encode(hmac.new(b"k3y", body, hashlib.sha512).digest()).decode(), "bad signature")
        eq(call("POST", sb.ctl["hibob"] + "/_control/webhooks", {"url": "http://192.0.2.1/x"}).status, 400,
           "loopback only")
    finally:
        sb.c("hibob", "POST", "/_control/webhooks", {"url": None})
        srv.shutdown()


@check
def hibob_request_details(sb):
    ex = sb.c("hibob", "GET", "/_control/expected")
    reqs = [r for r in ex["timeoff"]["requests"] if r["status"] != "deleted" and r["policy"] != "Medical"]
    priv = [r for r in ex["timeoff"]["requests"] if r["status"] != "deleted" and r["policy"] == "Medical"][0]
    path = "/timeoff/employees/%s/requests/%d" % (priv["employee_id"], priv["request_id"])
    eq(sb.bob("GET", path).status, 404, "private request hidden without the permission")
    toff_api(sb, private_permission=True)
    eq(sb.bob("GET", path).status, 200, "private request with the permission")
    toff_api(sb)
    seen_types = set()
    keys_date = keys_plain = 0
    for r in reqs[:150]:
        d = sb.bob("GET", "/timeoff/employees/%s/requests/%d" % (r["employee_id"], r["request_id"]))
        eq(d.status, 200, "details %d" % r["request_id"])
        d = d.json()
        seen_types.add(d["type"])
        if d["type"] == "days":
            keys_date += "startDatePortion" in d
            keys_plain += "startPortion" in d
        if d["type"] in ("specificHoursDayDurations", "differentSpecificHoursDayDurations", "differentDayDurations"):
            ok(d["durations"], "durations for " + d["type"])
    ok(keys_date and keys_plain, "both portion spellings (%d/%d)" % (keys_date, keys_plain))
    ok(len(seen_types) >= 6, "several types %s" % seen_types)
    r = [x for x in reqs if x["type"] == "days"][0]
    d = sb.bob("GET", "/timeoff/employees/%s/requests/%d" % (r["employee_id"], r["request_id"])).json()
    ok(d["durations"] and all("cost" in x for x in d["durations"]), "daily durations by default")
    d = sb.bob("GET", "/timeoff/employees/%s/requests/%d?includeDailyDurations=false"
               % (r["employee_id"], r["request_id"])).json()
    ok("durations" not in d, "includeDailyDurations=false")
    eq((d["requestId"], d["employeeId"], d["status"]), (r["request_id"], r["employee_id"], r["status"]), "ids")
    eq(sb.bob("GET", "/timeoff/employees/1/requests/%d" % r["request_id"]).status, 404, "other employee")
    eq(sb.bob("GET", "/timeoff/employees/%s/requests/1" % r["employee_id"]).status, 404, "unknown request")


@check
def hibob_whosout_outtoday_policies(sb):
    frm, to = TODAY, (dt.date.fromisoformat(TODAY) + dt.timedelta(days=60)).isoformat()
    base = sb.bob("GET", "/timeoff/whosout?from=%s&to=%s" % (frm, to)).json()["outs"]
    full = sb.bob("GET", "/timeoff/whosout?from=%s&to=%s&includeHourly=true&includePending=true"
                  % (frm, to)).json()["outs"]
    ok(base and all(o["status"] == "approved" for o in base), "approved only by default")
    ok(any(o["status"] == "pending" for o in full), "pending with includePending")
    hourly = ("hours", "hoursOnRange", "specificHoursDayDurations", "differentSpecificHoursDayDurations")
    ok(not any(o["type"] in hourly for o in base), "no hourly types by default")
    ok(any(o["type"] in hourly for o in full), "hourly with includeHourly")
    st = sb.c("hibob", "GET", "/_control/state")
    inactive = {p["id"] for p in st["people"] if p["status"] != "Active"}
    ok(not any(o["employeeId"] in inactive for o in full), "only active people")
    names = {o["policyTypeDisplayName"] for o in base}
    priv = {o["policyTypeDisplayName"] for o in sb.bob(
        "GET", "/timeoff/whosout?from=%s&to=%s&includePrivate=true" % (frm, to)).json()["outs"]}
    ok("Medical" not in names and "Out of office" in names, "private policy shown by its public name %s" % names)
    ok("Medical" not in priv and "Out of office" not in priv, "includePrivate without the permission "
       "leaves private requests out %s" % priv)
    toff_api(sb, private_permission=True)
    priv = {o["policyTypeDisplayName"] for o in sb.bob(
        "GET", "/timeoff/whosout?from=%s&to=%s&includePrivate=true" % (frm, to)).json()["outs"]}
    toff_api(sb)
    ok("Medical" in priv and "Out of office" not in priv, "includePrivate shows the real name %s" % priv)
    eq(sb.bob("GET", "/timeoff/whosout?from=%s" % frm).status, 400, "to required")
    outs = sb.bob("GET", "/timeoff/outtoday?includeHourly=true").json()["outs"]
    ok(outs, "someone is out today")
    o = outs[0]
    ok({"requestRangeType", "startDatePortion", "endDatePortion", "employeeEmail"} <= set(o), "outtoday keys")
    ok("type" not in o, "outtoday has no 'type'")
    pts = sb.bob("GET", "/timeoff/policy-types").json()["policyTypes"]
    ok("Holiday" in pts, "policy types")
    d = sb.bob("GET", "/timeoff/policy-types/Holiday").json()
    eq((d["name"], d["unit"]), ("Holiday", "days"), "policy type")
    eq(sb.bob("GET", "/timeoff/policy-types/Nope").status, 404, "unknown policy type")


@check
def hibob_dst_and_window_stories(sb):
    ex = sb.c("hibob", "GET", "/_control/expected")
    by = {r["request_id"]: r for r in ex["timeoff"]["requests"]}
    st = ex["timeoff"]["stories"]
    for k in ("dst_amsterdam", "dst_los_angeles"):
        ok(k in st and by[st[k]]["sync"], "%s syncs" % k)
    eq(by[st["zoe_old"]]["reason_code"], "out_of_window", "old request")
    eq(by[st["zoe_far"]]["reason_code"], "out_of_window", "far request")
    eq(by[st["priya_portion"]]["reason_code"], "chunks", "portionOnRange")
    eq(by[st["ngozi_no_agent"]]["reason_code"], "no_agent", "unmatched person")
    eq(by[st["arjun_unmatched_deleted_agent"]]["reason_code"], "no_agent", "deleted Assembled person")
    eq(by[st["zoe_pending"]]["reason_code"], "pending", "pending")
    eq(by[st["jose_chain"]]["sync"], True, "last of an edit chain syncs")
    ok(by[st["jose_chain"]]["original_request_id"] is not None, "chain link")


# ---------------------------------------------------------------- ground truth
@check
def expected_matches_cli(sb):
    ex = sb.c("hibob", "GET", "/_control/expected")
    out = subprocess.run([PY, os.path.join(HERE, "company.py"), "--expected", "--today", TODAY,
                          "--people", "320"], capture_output=True, text=True, check=True)
    cli = json.loads(out.stdout)
    eq(cli["people"], 320, "people")
    s = cli["employees"]["summary"]
    ok(s["eligible"] > 0 and s["ineligible"] > 0 and s["unset"] > 0, "all three kinds: %s" % s)
    eq(s["total"], s["eligible"] + s["ineligible"] + s["unset"], "summary adds up")
    codes = {e["reason_code"] for e in cli["employees"]["employees"]}
    for c in ("eligible", "access_no", "access_unset", "terminated", "not_started", "garden_leave", "leave",
              "leaving"):
        ok(c in codes, "reason %s present" % c)
    key = lambda e: (e["id"], e["email"], e["access"], e["lifecycle"], e["eligible"], e["reason_code"])
    eq([key(e) for e in cli["employees"]["employees"]], [key(e) for e in ex["employees"]["employees"]][:320],
       "the CLI and the live server agree on every person")
    live = {r["request_id"]: r for r in ex["timeoff"]["requests"]}
    for r in cli["timeoff"]["requests"]:
        eq((r["sync"], r["reason_code"], r["agent_id"]), (live[r["request_id"]]["sync"],
           live[r["request_id"]]["reason_code"], live[r["request_id"]]["agent_id"]), "request %d" % r["request_id"])
    t = cli["timeoff"]["summary"]
    eq(t["total"], t["sync"] + t["skip"], "time-off summary adds up")
    eq(sum(cli["timeoff"]["by_reason"].values()), t["total"], "by_reason adds up")
    emails = [e["email"].lower() for e in cli["employees"]["employees"]]
    eq(len(emails), len(set(emails)), "unique e-mails")
    ok(any(any(ord(ch) > 0x3000 for ch in e["name"]) for e in cli["employees"]["employees"]), "CJK names")
    ok(any(e["email"] != e["email"].lower() for e in cli["employees"]["employees"]), "mixed-case e-mails")


@check
def control_person(sb):
    st = sb.c("hibob", "GET", "/_control/state?summary=1")
    kwame = st["featured"]["kwame.mensah"]
    acc = st["field_ids"]["alleo_access"]

    def truth(pid):
        return [e for e in sb.c("hibob", "GET", "/_control/expected")["employees"]["employees"]
                if e["id"] == pid][0]
    eq(truth(kwame)["reason_code"], "terminated", "Kwame starts terminated")
    sb.c("hibob", "POST", "/_control/person", {"id": kwame, "lifecycle": "employed", "terminationDate": None})
    try:
        eq(truth(kwame)["eligible"], True, "rehired")
        e = sb.search({"fields": ["root.id", "internal.status"], "filters": [
            {"fieldPath": "root.id", "operator": "equals", "values": [kwame]}]}).json()["employees"]
        eq(item_names(sb, "employeeStatus")[e[0]["internal"]["status"]], "Active",
           "active again, so visible without showInactive")
    finally:
        sb.c("hibob", "POST", "/_control/person", {"id": kwame, "lifecycle": "terminated",
                                                   "terminationDate": "2026-08-26"})
    zoe = st["featured"]["zoe.lukasiewicz-ostergard"]
    old = sb.bob("POST", "/people/" + zoe, {"fields": ["root.email"]}).json()["email"]
    sb.c("hibob", "POST", "/_control/person", {"id": zoe, "email": "zoe.new@lumenfield.example"})
    try:
        r = sb.bob("POST", "/people/zoe.new@lumenfield.example", {"fields": ["root.id"]})
        eq(r.json()["employees"][0]["id"], zoe, "found by the new e-mail")
        eq(sb.bob("POST", "/people/" + old, {}).status, 404, "old e-mail gone")
    finally:
        sb.c("hibob", "POST", "/_control/person", {"id": zoe, "email": old})
    r = sb.c("hibob", "POST", "/_control/person", {"create": True, "firstName": "Noor", "surname": "Ël-Amin",
                                                   "department": "Support", "site": "London",
                                                   "startDate": "2026-12-01", "alleo_access": "unset"})
    eq((r["lifecycle"], r["status"], r["alleo_access"]), ("hired", "Inactive", None), "new joiner")
    e = sb.bob("POST", "/people/" + r["id"], {"fields": ["root.id", acc]}).json()
    eq(e["work"]["custom"][acc.split(".")[-1]], None, "unset access reads as null")


# ---------------------------------------------------------------- Assembled
@check
def assembled_auth_and_people(sb):
    eq(sb.asmc("GET", "/people", auth=None).status, 401, "no auth")
    r = sb.asmc("GET", "/people", auth=(sb.asm_auth[0], "pw"))
    eq(r.status, 401, "password must be empty")
    ok(not r.body.startswith(b"{"), "opaque text error")
    eq(sb.asmc("GET", "/people", auth=("sk_live_nope", "")).status, 401, "wrong key")
    r = sb.asmc("GET", "/people?limit=1000").json()
    eq(r["limit"], 500, "limit capped at 500")
    d = sb.asmc("GET", "/people").json()
    eq((d["limit"], d["offset"]), (100, 0), "defaults")
    total = d["total"]
    seen = {}
    off = 0
    while off < total:
        page = sb.asmc("GET", "/people?limit=37&offset=%d" % off).json()
        ok(isinstance(page["people"], dict), "people is a map")
        seen.update(page["people"])
        off += 37
    eq(len(seen), total, "pages cover everyone once")
    ps = list(seen.values())
    ok(all(p["id"] != p["agent_id"] for p in ps), "id differs from agent_id")
    ok(any((p.get("platforms") or {}).get("hibob") for p in ps), "some platforms.hibob")
    ok(any(p["deleted"] for p in ps), "a deleted person")
    ok(any(not p["timezone"] for p in ps), "someone without a time zone")
    ok(len({p["timezone"] for p in ps if p["timezone"]}) >= 3, "several zones")
    ok(any(p["email"] != p["email"].lower() for p in ps if not (p.get("platforms") or {}).get("hibob")),
       "case-different e-mails")
    ok(isinstance(d["teams"], dict) and isinstance(d["sites"], dict) and isinstance(d["queues"], dict), "maps")
    t = sb.asmc("GET", "/activity_types").json()["activity_types"]
    names = {v["name"]: v for v in t.values()}
    for n in ("Time Off", "Holiday", "Sick And Medical"):
        ok(names[n]["timeoff"] and not names[n]["productive"], n)
    for n in ("Phone", "Email"):
        ok(names[n]["productive"] and not names[n]["timeoff"], n)
    ok("Break" in names, "Break")


def asm_setup(sb):
    people = sb.c("assembled", "GET", "/_control/people")
    agents = [p for p in people["people"] if not p["deleted"] and p["timezone"]]
    types = {v["name"]: k for k, v in sb.asmc("GET", "/activity_types").json()["activity_types"].items()}
    return agents, types


def shifts_of(sb, agent, s, e):
    r = sb.asmc("GET", "/activities?start_time=%d&end_time=%d&agents=%s" % (s, e, agent))
    return r.json()["activities"]


@check
def assembled_activities_filter_quirk(sb):
    agents, types = asm_setup(sb)
    a, b = agents[0]["agent_id"], agents[1]["agent_id"]
    now = TODAY_NOON
    s, e = now - 3 * 86400, now + 7 * 86400
    one = shifts_of(sb, a, s, e)
    ok(one and all(x["agent_id"] == a for x in one.values()), "single agents= filters")
    ok(all(k == x["id_with_timestamps"] for k, x in one.items()), "keyed by id_with_timestamps")
    ok(all(isinstance(x["start_time"], int) for x in one.values()), "unix seconds")
    for q in ("agents=%s&agents=%s" % (a, b), "agents[]=%s&agents[]=%s" % (a, b), "agents[]=%s" % a):
        r = sb.asmc("GET", "/activities?start_time=%d&end_time=%d&%s" % (s, e, q)).json()["activities"]
        others = {x["agent_id"] for x in r.values()} - {a, b}
        ok(others, "list form %s ignores the filter" % q)
    eq(sb.asmc("GET", "/activities?agents=%s" % a).status, 400, "start/end required")
    r = sb.asmc("GET", "/activities?start_time=%d&end_time=%d&agents=%s&include_agents=true"
                "&include_activity_types=true" % (s, e, a)).json()
    ok("agents" in r and "activity_types" in r, "include_* flags")


@check
def assembled_create_allow_conflicts(sb):
    agents, types = asm_setup(sb)
    a = agents[2]["agent_id"]
    now = TODAY_NOON
    acts = shifts_of(sb, a, now, now + 10 * 86400)
    shift = sorted((x for x in acts.values() if x["description"] == "shift"), key=lambda x: x["start_time"])[0]
    s, e = shift["start_time"] + 3600, shift["start_time"] + 7200
    body = {"agent_id": a, "type_id": types["Time Off"], "start_time": s, "end_time": e,
            "description": "hibob:1", "allow_conflicts": True}
    r = sb.asmc("POST", "/activities", body)
    eq(r.status, 200, "create returns 200")
    kept = shifts_of(sb, a, s, e)
    ok(any(x["id"] == shift["id"] for x in kept.values()), "allow_conflicts true keeps the shift")
    body.pop("allow_conflicts")
    r = sb.asmc("POST", "/activities", dict(body, description="hibob:2"))
    eq(r.status, 200, "create (default allow_conflicts)")
    left = shifts_of(sb, a, s, e)
    ok(not any(x["id"] == shift["id"] for x in left.values()), "default false deletes the shift")
    ok(not any(x["description"] == "hibob:1" for x in left.values()), "and the earlier overlapping event")
    eq(list(left.values())[0]["id"], r.json()["id"], "only the new event remains")
    eq(sb.asmc("POST", "/activities", dict(body, agent_id="nope")).status, 400, "unknown agent")
    eq(sb.asmc("POST", "/activities", dict(body, type_id="nope")).status, 400, "unknown type")
    eq(sb.asmc("POST", "/activities", dict(body, start_time="2026-12-01T00:00:00Z")).status, 400, "ISO times")


@check
def assembled_bulk_and_window_delete(sb):
    agents, types = asm_setup(sb)
    a = agents[3]["agent_id"]
    base = int(time.time()) + 400 * 86400   # beyond the seeded shifts
    mk = lambda k: {"action": "create", "activity": {"agent_id": a, "type_id": types["Holiday"],
                                                     "start_time": base + k * 86400,
                                                     "end_time": base + k * 86400 + 3600}}
    r = sb.asmc("POST", "/activities/bulk", {"activities": [mk(0), mk(1)]})
    eq(r.status, 200, "bulk create")
    ids = list(r.json()["activities"])
    eq(len(ids), 2, "two created")
    bad = {"activities": [{"action": "delete", "activity": {"id": ids[0]}},
                          {"action": "delete", "activity": {"id": "missing"}}]}
    r = sb.asmc("POST", "/activities/bulk", bad)
    eq(r.status, 400, "one bad item")
    ok(b"not found" in r.body, "says not found")
    eq(len(shifts_of(sb, a, base, base + 3 * 86400)), 2, "transaction: nothing deleted")
    eq(sb.asmc("POST", "/activities/bulk", {"activities": [mk(k) for k in range(101)]}).status, 400, "over 100")
    r = sb.asmc("POST", "/activities/bulk", {"activities": [
        {"action": "update", "activity": {"id": ids[1], "end_time": base + 86400 + 7200}},
        {"action": "delete", "activity": {"id": ids[0]}}]})
    eq(r.status, 200, "update + delete")
    left = list(shifts_of(sb, a, base, base + 3 * 86400).values())
    eq([(x["id"], x["end_time"]) for x in left], [(ids[1], base + 86400 + 7200)], "after update/delete")
    # window delete trims: 2 h event, delete the middle 30 min -> two pieces
    s = base + 86400
    r = sb.asmc("DELETE", "/activities", {"agent_ids": [a], "start_time": s + 1800, "end_time": s + 3600})
    eq(r.status, 200, "window delete")
    pieces = sorted((x["start_time"], x["end_time"]) for x in shifts_of(sb, a, base, base + 3 * 86400).values())
    eq(pieces, [(s, s + 1800), (s + 3600, s + 7200)], "trimmed into two")
    r = sb.asmc("DELETE", "/activities", {"agent_ids": [a], "start_time": s, "end_time": s + 7200})
    eq(shifts_of(sb, a, base, base + 3 * 86400), {}, "whole window removed")


@check
def assembled_listing_caps_and_bulk_delete_modes(sb):
    agents, types = asm_setup(sb)
    a = agents[5]["agent_id"]
    now = TODAY_NOON
    s, e = now - 10 * 86400, now + 50 * 86400   # 60 days of shifts
    every = [x for x in sb.c("assembled", "GET", "/_control/activities")["activities"].values()
             if x["agent_id"] == a and x["start_time"] < e and x["end_time"] > s]
    ok(len(every) > 40, "enough shifts for the caps to bite")
    r = shifts_of(sb, a, s, e)
    ok(all(x["start_time"] < s + 31 * 86400 for x in r.values()), "window cut at 31 days, silently")
    ok(len(r) < len(every), "so fewer rows than there are")
    got = {}
    for w in range(s, e, 31 * 86400):
        off = 0
        while True:
            page = sb.asmc("GET", "/activities?start_time=%d&end_time=%d&agents=%s&limit=7&offset=%d"
                           % (w, min(e, w + 31 * 86400), a, off)).json()
            ok("total" not in page, "no total")
            got.update((x["id"], x) for x in page["activities"].values())
            if len(page["activities"]) < 7:
                break
            off += 7
    eq(sorted(got), sorted(x["id"] for x in every), "slices of 31 days paged by 7: every row")
    sb.c("assembled", "POST", "/_control/listing", {"page_max": 3})
    try:
        eq(len(shifts_of(sb, a, now, now + 5 * 86400)), 3, "page_max cuts a page silently")
        r = sb.asmc("GET", "/activities?start_time=%d&end_time=%d&agents=%s&limit=500" % (now, now + 5 * 86400, a))
        eq(len(r.json()["activities"]), 3, "even when more is asked for")
        eq(sb.asmc("GET", "/activities?start_time=1&end_time=2&limit=x").status, 400, "limit must be a number")
    finally:
        eq(sb.c("assembled", "POST", "/_control/listing", {}),
           {"page_default": 100, "page_max": 500, "window_days": 31}, "defaults restored")
    base = now + 450 * 86400
    made = sb.asmc("POST", "/activities", {"agent_id": a, "type_id": types["Holiday"], "start_time": base,
                                           "end_time": base + 3600, "allow_conflicts": True}).json()
    dele = {"activities": [{"action": "delete", "activity": {"id": made["id"]}}]}
    try:
        sb.c("assembled", "POST", "/_control/bulk_delete", {"mode": "beta_off"})
        r = sb.asmc("POST", "/activities/bulk", dele)
        eq(r.status, 400, "beta off: refused")
        ok(b"not found" not in r.body and b"beta" in r.body, "saying beta, not not-found")
        sb.c("assembled", "POST", "/_control/bulk_delete", {"mode": "no_route"})
        r = sb.asmc("POST", "/activities/bulk", dele)
        eq((r.status, r.body), (404, b"404 page not found"), "no route: a bare 404")
        ok(made["id"] in sb.c("assembled", "GET", "/_control/activities")["activities"], "still there")
    finally:
        eq(sb.c("assembled", "POST", "/_control/bulk_delete", {})["mode"], "enabled", "enabled again")
    eq(sb.asmc("POST", "/activities/bulk", dele).status, 200, "then the delete works")
    ok(made["id"] not in sb.c("assembled", "GET", "/_control/activities")["activities"], "gone")


@check
def assembled_rate_limit_and_control(sb):
    sb.c("assembled", "POST", "/_control/ratelimit", {"per_minute": 60, "burst": 2})
    try:
        st = [sb.asmc("GET", "/activity_types").status for _ in range(3)]
        eq(st, [200, 200, 429], "burst of 2")
        r = sb.asmc("GET", "/activity_types")
        ok(r.header("Retry-After") is None, "no Retry-After by default")
        sb.c("assembled", "POST", "/_control/ratelimit", {"per_minute": 60, "burst": 1, "retry_after": 0})
        sb.asmc("GET", "/activity_types")
        r = sb.asmc("GET", "/activity_types")
        eq(r.status, 429, "limited")
        ok(r.header("Retry-After") is not None, "Retry-After when configured")
    finally:
        sb.c("assembled", "POST", "/_control/ratelimit", {"off": True, "retry_after": None})
    agents, types = asm_setup(sb)
    a = agents[4]["agent_id"]
    s = int(time.time()) + 500 * 86400
    r = sb.c("assembled", "POST", "/_control/activities", {"agent_id": a, "type": "Time Off", "start_time": s,
                                                           "end_time": s + 86400, "description": "hibob:424242"})
    all_ = sb.c("assembled", "GET", "/_control/activities")
    ok(r["id"] in all_["activities"], "orphan added")
    ok(any(x["description"] == "shift" for x in all_["activities"].values()), "shifts listed too")
    sb.c("assembled", "DELETE", "/_control/activities/" + r["id"])
    ok(r["id"] not in sb.c("assembled", "GET", "/_control/activities")["activities"], "drift: deleted")
    zoe = sb.c("hibob", "GET", "/_control/state?summary=1")["featured"]["zoe.lukasiewicz-ostergard"]
    eq(sb.c("assembled", "GET", "/_control/people")["agents"][zoe]["match"], "hibob id", "Zoë by hibob id")
    p = sb.c("assembled", "POST", "/_control/people", {"hibob_id": zoe, "platforms_hibob": None})
    try:
        eq(sb.c("assembled", "GET", "/_control/people")["agents"][zoe]["match"], "email", "then by e-mail")
        sb.c("assembled", "POST", "/_control/people", {"id": p["id"], "deleted": True})
        ok(zoe not in sb.c("assembled", "GET", "/_control/people")["agents"], "deleted: no match")
        ex = sb.c("hibob", "GET", "/_control/expected")["timeoff"]["requests"]
        ok(all(not r["sync"] for r in ex if r["employee_id"] == zoe), "ground truth follows Assembled")
    finally:
        sb.c("assembled", "POST", "/_control/people", {"id": p["id"], "deleted": False, "platforms_hibob": zoe})


# ---------------------------------------------------------------- SCIM
@check
def scim_token(sb):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    r = call("POST", sb.token_url, raw=b"grant_type=client_credentials", headers=form,
             auth=(sb.scim_cred[0], "wrong"))
    eq(r.status, 401, "wrong secret")
    r = call("POST", sb.token_url, raw=b"grant_type=password", headers=form, auth=sb.scim_cred)
    eq(r.status, 400, "wrong grant")
    body = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": sb.scim_cred[0],
                                   "client_secret": sb.scim_cred[1]}).encode()
    r = call("POST", sb.token_url, raw=body, headers=form)
    eq(r.status, 200, "form credentials")
    j = r.json()
    eq((j["token_type"], j["expires_in"]), ("Bearer", 3600), "token answer")
    sb.tok = sb.token()
    r = call("GET", sb.scim + "/Users")
    eq(r.status, 401, "no token")
    eq(r.json()["schemas"], ["urn:ietf:params:scim:api:messages:2.0:Error"], "SCIM error body")
    eq(sb.scimc("GET", "/Users", token="nope").status, 401, "bad token")
    sb.c("scim", "POST", "/_control/token", {"expires_in": 1})
    try:
        short = sb.token()
        eq(sb.scimc("GET", "/Users", token=short).status, 200, "fresh token")
        time.sleep(1.2)
        r = sb.scimc("GET", "/Users", token=short)
        eq(r.status, 401, "expired token")
        ok("expired" in r.json()["detail"], "says expired")
    finally:
        sb.c("scim", "POST", "/_control/token", {"expires_in": 3600})


def user(name, ext=None, **kw):
    u = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name, "externalId": ext,
         "name": {"givenName": "Ada", "familyName": "Lovelace"},
         "emails": [{"value": name, "type": "work", "primary": True}], "active": True}
    u.update(kw)
    return u


@check
def scim_users(sb):
    sb.tok = sb.token()
    ext = "urn:ietf:params:scim:schemas:extension:alleo:2.0:User"
    # the made-up extension is an opt-in scenario (Alleo publishes none)
    sb.c("scim", "POST", "/_control/scim", {"extension": True})
    try:
        scim_users_steps(sb, ext)
    finally:
        sb.c("scim", "POST", "/_control/scim", {})


def scim_users_steps(sb, ext):
    r = sb.scimc("POST", "/Users", user("ada@lumenfield.example", "111", **{
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ext],
        ext: {"budgets": {"alleo_monthly_all_budget": 75}, "startDate": "2020-01-01"}}))
    eq(r.status, 201, "create")
    u = r.json()
    ok(u["id"] and u["meta"]["location"].endswith(u["id"]), "id and location")
    eq(u[ext]["budgets"]["alleo_monthly_all_budget"], 75, "extension stored")
    r = sb.scimc("POST", "/Users", user("ADA@lumenfield.example", "222"))
    eq(r.status, 409, "userName taken (any case)")
    j = r.json()
    eq((j["scimType"], j["status"]), ("uniqueness", "409"), "409 body")
    eq(sb.scimc("POST", "/Users", user("other@lumenfield.example", "111")).status, 409, "externalId taken")
    eq(sb.scimc("POST", "/Users", user("x@lumenfield.example", "333"), ctype="text/plain").status, 415, "ctype")
    q = urllib.parse.quote('userName eq "Ada@Lumenfield.Example"')
    r = sb.scimc("GET", "/Users?filter=" + q).json()
    eq((r["totalResults"], r["Resources"][0]["id"]), (1, u["id"]), "userName filter, case-insensitive")
    ok({"schemas", "totalResults", "startIndex", "itemsPerPage", "Resources"} <= set(r), "ListResponse")
    r = sb.scimc("GET", "/Users?filter=" + urllib.parse.quote('externalId eq "111"')).json()
    eq(r["totalResults"], 1, "externalId filter")
    r = sb.scimc("GET", "/Users?filter=" + urllib.parse.quote('externalId eq "ABC"')).json()
    eq(r["totalResults"], 0, "no match")
    eq(sb.scimc("GET", "/Users?filter=" + urllib.parse.quote('name.familyName co "L"')).status, 400, "filter")
    odd = sb.scimc("POST", "/Users", user('we"ird\\@lumenfield.example', "odd")).json()
    r = sb.scimc("GET", "/Users?filter=" + urllib.parse.quote('userName eq "we\\"ird\\\\@lumenfield.example"')).json()
    eq([x["id"] for x in r["Resources"]], [odd["id"]], "escaped quote and backslash in a filter")
    for k in range(5):
        sb.scimc("POST", "/Users", user("p%d@lumenfield.example" % k, "p%d" % k))
    r = sb.scimc("GET", "/Users?startIndex=2&count=2").json()
    eq((r["startIndex"], r["itemsPerPage"], len(r["Resources"])), (2, 2, 2), "paging")
    ok(r["totalResults"] >= 6, "total")
    sb.c("scim", "POST", "/_control/paging", {"max_count": 3})
    try:
        r = sb.scimc("GET", "/Users?startIndex=1&count=5").json()
        eq((r["itemsPerPage"], len(r["Resources"])), (3, 3), "count above the cap is cut")
        sb.c("scim", "POST", "/_control/paging", {"max_count": 3, "over_max": "error"})
        r = sb.scimc("GET", "/Users?startIndex=1&count=5")
        eq((r.status, r.json()["scimType"]), (400, "invalidValue"), "count above the cap refused")
        eq(sb.scimc("GET", "/Users?startIndex=1&count=3").status, 200, "count at the cap")
        sb.c("scim", "POST", "/_control/paging", {"unfiltered": False})
        r = sb.scimc("GET", "/Users?startIndex=1&count=5")
        eq((r.status, r.json()["scimType"]), (400, "invalidFilter"), "unfiltered listing refused")
        eq(sb.scimc("GET", "/Users?filter=" + urllib.parse.quote('externalId eq "111"')).status, 200,
           "a filtered lookup still served")
    finally:
        sb.c("scim", "POST", "/_control/paging", {})
    po = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    r = sb.scimc("PATCH", "/Users/" + u["id"], {"schemas": [po], "Operations": [
        {"op": "replace", "path": "active", "value": False}]})
    eq((r.status, r.json()["active"]), (200, False), "deactivate by path")
    r = sb.scimc("PATCH", "/Users/" + u["id"], {"schemas": [po], "Operations": [
        {"op": "Replace", "value": {"active": True, "userName": "ada.l@lumenfield.example",
                                    "name": {"givenName": "Ada", "familyName": "King"}}},
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "ada.l@lumenfield.example"},
        {"op": "replace", "path": "externalId", "value": "111"},
        {"op": "replace", "path": ext + ":budgets", "value": {"alleo_monthly_all_budget": 100}}]})
    eq(r.status, 200, "value-object form")
    j = r.json()
    eq((j["active"], j["userName"], j["name"]["familyName"], j["emails"][0]["value"]),
       (True, "ada.l@lumenfield.example", "King", "ada.l@lumenfield.example"), "patched")
    eq(j[ext]["budgets"]["alleo_monthly_all_budget"], 100, "extension patched")
    r = sb.scimc("PATCH", "/Users/" + u["id"], {"schemas": [po], "Operations": [
        {"op": "replace", "path": "userName", "value": "p1@lumenfield.example"}]})
    eq(r.status, 409, "patch into a taken userName")
    eq(sb.scimc("PATCH", "/Users/" + u["id"], {"schemas": [po], "Operations": [
        {"op": "replace", "path": "nosuch.thing", "value": 1}]}).status, 400, "bad path")
    r = sb.scimc("PUT", "/Users/" + u["id"], user("ada.put@lumenfield.example", "111"))
    eq((r.status, r.json()["userName"]), (200, "ada.put@lumenfield.example"), "PUT")
    eq(sb.scimc("DELETE", "/Users/" + u["id"]).status, 204, "DELETE")
    eq(sb.scimc("GET", "/Users/" + u["id"]).status, 404, "gone")
    ok(sb.c("scim", "GET", "/_control/users")["count"] >= 5, "control lists users")


@check
def scim_strict(sb):
    """The default reads RFC 7643/7644 as a validating server does."""
    sb.tok = sb.token()
    ext = "urn:ietf:params:scim:schemas:extension:alleo:2.0:User"
    po = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    r = sb.scimc("GET", "/Schemas").json()
    eq([x["id"] for x in r["Resources"]], ["urn:ietf:params:scim:schemas:core:2.0:User"], "core only")
    r = sb.scimc("GET", "/ServiceProviderConfig").json()
    eq((r["patch"]["supported"], r["filter"]["supported"]), (True, True), "ServiceProviderConfig")
    u = user("strict@lumenfield.example", "s1")
    u["schemas"].append(ext)
    u[ext] = {"startDate": "2020-01-01"}
    r = sb.scimc("POST", "/Users", u)
    eq((r.status, r.json()["scimType"]), (400, "invalidValue"), "unlisted schema URN refused")
    r = sb.scimc("POST", "/Users", user("strict@lumenfield.example", "s1", budgets={"a": 1}))
    eq((r.status, r.json()["scimType"]), (400, "invalidSyntax"), "unknown attribute refused")
    r = sb.scimc("POST", "/Users", user("strict@lumenfield.example", "s1", title=None))
    eq((r.status, r.json()["scimType"]), (400, "invalidValue"), "null value refused")
    r = sb.scimc("POST", "/Users", user("strict@lumenfield.example", "s1"))
    eq(r.status, 201, "core attributes only")
    uid = r.json()["id"]
    for op, why in (({"op": "replace", "path": ext, "value": {"startDate": "2020-01-01"}}, "bare URN"),
                    ({"op": "replace", "path": ext + ":startDate", "value": "2020-01-01"}, "unlisted URN"),
                    ({"op": "replace", "path": "budgets", "value": 1}, "unknown attribute")):
        r = sb.scimc("PATCH", "/Users/" + uid, {"schemas": [po], "Operations": [op]})
        eq((r.status, r.json()["scimType"]), (400, "invalidPath"), why)
    r = sb.scimc("PATCH", "/Users/" + uid, {"schemas": [po], "Operations": [
        {"op": "replace", "path": "title", "value": None}]})
    eq((r.status, r.json()["scimType"]), (400, "invalidValue"), "null PATCH value refused")
    r = sb.scimc("PATCH", "/Users/" + uid, {"schemas": [po], "Operations": [
        {"op": "add", "path": "title", "value": "Eng"}, {"op": "remove", "path": "title"}]})
    eq((r.status, "title" in r.json()), (200, False), "cleared with remove")
    sb.c("scim", "POST", "/_control/scim", {"extension": True, "ext_filter": False})
    try:
        eq([x["id"] for x in sb.scimc("GET", "/Schemas").json()["Resources"]][1], ext, "extension listed")
        r = sb.scimc("PATCH", "/Users/" + uid, {"schemas": [po], "Operations": [
            {"op": "replace", "path": ext + ":startDate", "value": "2020-01-01"}]})
        eq((r.status, r.json()[ext]["startDate"]), (200, "2020-01-01"), "listed extension by its path")
        ok(ext in r.json()["schemas"], "schemas name it")
        r = sb.scimc("GET", "/Users?filter=" + urllib.parse.quote('externalId eq "s1"'))
        eq((r.status, r.json()["scimType"]), (400, "invalidFilter"), "externalId filter refused")
        r = sb.scimc("GET", "/Users?filter=" + urllib.parse.quote('userName eq "strict@lumenfield.example"'))
        eq(r.json()["totalResults"], 1, "userName filter still served")
        sb.c("scim", "POST", "/_control/scim", {"patch": False})
        eq(sb.scimc("GET", "/ServiceProviderConfig").json()["patch"]["supported"], False, "no PATCH said")
    finally:
        sb.c("scim", "POST", "/_control/scim", {})


@check
def scim_token_auth_styles(sb):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    cid, sec = sb.scim_cred
    enc = (urllib.parse.quote_plus(cid), urllib.parse.quote_plus(sec))
    basic = lambda: call("POST", sb.token_url, raw=b"grant_type=client_credentials", headers=form,
                         auth=enc)
    inbody = lambda: call("POST", sb.token_url, headers=form, raw=urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": cid, "client_secret": sec}).encode())
    eq((basic().status, inbody().status), (200, 200), "both ways by default")
    try:
        sb.c("scim", "POST", "/_control/scim", {"token_auth": "basic"})
        r = inbody()
        eq((r.status, r.json()["error"]), (401, "invalid_client"), "basic only: body refused")
        eq(basic().status, 200, "basic only: Basic taken")
        sb.c("scim", "POST", "/_control/scim", {"token_auth": "body"})
        r = basic()
        eq((r.status, r.json()["error"]), (401, "invalid_client"), "body only: Basic refused")
        eq(inbody().status, 200, "body only: body taken")
    finally:
        sb.c("scim", "POST", "/_control/scim", {})


@check
def scim_bulk(sb):
    """RFC 7644 3.7: off by default (unconfirmed for Alleo); with /_control/bulk
    the limits are checked before anything runs, each operation is applied
    like its single request and answered by bulkId or location."""
    sb.tok = sb.token()
    br = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
    po = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    eq(sb.scimc("GET", "/ServiceProviderConfig").json()["bulk"]["supported"], False, "off by default")
    eq(sb.scimc("POST", "/Bulk", {"schemas": [br], "Operations": []}).status, 501, "/Bulk off")
    sb.c("scim", "POST", "/_control/bulk", {"supported": True, "max_operations": 3, "max_payload": 4000,
                                            "fail": [{"match": "refuse@", "status": 400,
                                                      "scimType": "invalidValue"}]})
    try:
        b = sb.scimc("GET", "/ServiceProviderConfig").json()["bulk"]
        eq((b["supported"], b["maxOperations"], b["maxPayloadSize"]), (True, 3, 4000), "advertised")
        op = lambda i, name: {"method": "POST", "path": "/Users", "bulkId": "b%d" % i,
                              "data": user(name, "bk%d" % i)}
        before = sb.c("scim", "GET", "/_control/users")["count"]
        r = sb.scimc("POST", "/Bulk", {"schemas": [br], "Operations": [op(i, "b%d@x.example" % i)
                                                                        for i in range(4)]})
        eq(r.status, 413, "too many operations")
        eq(sb.c("scim", "GET", "/_control/users")["count"], before, "a refused bulk applied nothing")
        big = user("big@x.example", "big", displayName="x" * 5000)
        r = sb.scimc("POST", "/Bulk", {"schemas": [br], "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "b0", "data": big}]})
        eq(r.status, 413, "payload too large")
        r = sb.scimc("POST", "/Bulk", {"schemas": [br], "Operations": [
            op(0, "ann@x.example"), op(1, "refuse@x.example"),
            {"method": "POST", "path": "/Users", "data": user("nobulkid@x.example", "bk9")}]})
        eq(r.status, 200, "bulk answered")
        res = r.json()["Operations"]
        eq([(x.get("bulkId"), x["status"]) for x in res], [("b0", "201"), ("b1", "400"), (None, "400")],
           "per operation")
        ok("/scim/v2/Users/" in res[0]["location"], "a create answered with its location")
        eq(res[1]["response"]["scimType"], "invalidValue", "scenario refusal")
        eq(res[2]["response"]["scimType"], "invalidSyntax", "POST without bulkId")
        uid = res[0]["location"].rsplit("/", 1)[1]
        r = sb.scimc("POST", "/Bulk", {"schemas": [br], "Operations": [
            op(0, "ANN@x.example"),
            {"method": "PATCH", "path": "/Users/" + uid, "data": {"schemas": [po], "Operations": [
                {"op": "replace", "path": "active", "value": False}]}}]})
        res = r.json()["Operations"]
        eq((res[0]["status"], res[0]["response"]["scimType"]), ("409", "uniqueness"), "uniqueness")
        eq((res[1]["status"], res[1]["location"].endswith(uid)), ("200", True), "PATCH by location")
        sb.c("scim", "POST", "/_control/bulk", {"supported": True, "max_operations": 1,
                                                "over_max": "tooMany"})
        r = sb.scimc("POST", "/Bulk", {"schemas": [br], "Operations": [op(5, "c@x.example"),
                                                                        op(6, "d@x.example")]})
        eq((r.status, r.json()["scimType"]), (400, "tooMany"), "the tooMany reading")
    finally:
        sb.c("scim", "POST", "/_control/bulk", {})
        for u in sb.c("scim", "GET", "/_control/users")["users"]:
            if str(u.get("externalId", "")).startswith("bk"):
                sb.scimc("DELETE", "/Users/" + u["id"])


@check
def scim_rate_limit(sb):
    sb.tok = sb.token()
    sb.c("scim", "POST", "/_control/ratelimit", {"per_minute": 2, "retry_after": 7})
    try:
        st = [sb.scimc("GET", "/Users?count=1") for _ in range(3)]
        eq([r.status for r in st], [200, 200, 429], "limit of 2")
        eq(st[2].header("Retry-After"), "7", "Retry-After")
        eq(st[2].json()["status"], "429", "SCIM error body")
    finally:
        sb.c("scim", "POST", "/_control/ratelimit", {"per_minute": 600, "retry_after": 2})


# ---------------------------------------------------------------- faults and log
@check
def faults_every_kind(sb):
    fields = ["root.id", sb.c("hibob", "GET", "/_control/state?summary=1")["field_ids"]["alleo_access"]]

    def fault(kind, **kw):
        sb.c("hibob", "POST", "/_control/fault", dict({"path": "/v1/people/search", "kind": kind, "count": 1}, **kw))

    for kind, code in (("429", 429), ("500", 500), ("502", 502), ("503", 503)):
        fault(kind)
        eq(sb.search({"fields": fields}).status, code, kind)
        eq(sb.search({"fields": fields}).status, 200, kind + " then normal")
    fault("429_retry_after", retry_after=3)
    r = sb.search({"fields": fields})
    eq((r.status, r.header("Retry-After")), (429, "3"), "429_retry_after")
    fault("stall", seconds=2)
    try:
        sb.search({"fields": fields}, timeout=0.5)
        raise AssertionError("stall did not time out")
    except (socket.timeout, TimeoutError, urllib.error.URLError):
        pass
    time.sleep(1.6)
    fault("reset")
    try:
        sb.search({"fields": fields})
        raise AssertionError("reset answered")
    except (ConnectionError, urllib.error.URLError, http.client.HTTPException):
        pass
    fault("truncate")
    try:
        sb.search({"fields": fields})
        raise AssertionError("truncate gave a whole body")
    except http.client.IncompleteRead:
        pass
    fault("invalid_json")
    r = sb.search({"fields": fields})
    try:
        r.json()
        raise AssertionError("invalid_json parsed")
    except ValueError:
        pass
    fault("wrong_shape")
    r = sb.search({"fields": fields})
    ok(r.status == 200 and not isinstance(r.json().get("employees"), list), "wrong_shape")
    fault("empty")
    eq(sb.search({"fields": fields}).json(), {"employees": []}, "empty")
    fault("omit_fields")
    e = sb.search({"fields": fields}).json()["employees"]
    ok(e and all("work" not in x and not any(k.startswith("/work/custom") for k in x) for x in e), "omit_fields")
    fault("omit_fields", fields=["root.id"])
    e = sb.search({"fields": fields}).json()["employees"][0]
    ok("id" not in e and "/root/id" not in e and "work" in e, "omit_fields with a list")
    sb.c("hibob", "POST", "/_control/fault", {"path": "/v1/", "kind": "503", "count": -1})
    eq(sb.bob("GET", "/company/people/fields").status, 503, "count -1 holds")
    eq(sb.bob("GET", "/company/people/fields").status, 503, "still")
    sb.c("hibob", "DELETE", "/_control/fault")
    eq(sb.bob("GET", "/company/people/fields").status, 200, "cleared")
    eq(call("POST", sb.ctl["hibob"] + "/_control/fault", {"kind": "gremlins"}).status, 400, "unknown kind")
    sb.c("assembled", "POST", "/_control/fault", {"path": "/v0/people", "kind": "empty"})
    eq(sb.asmc("GET", "/people").json()["people"], {}, "empty on Assembled keeps the map shape")


@check
def request_log(sb):
    sb.c("hibob", "DELETE", "/_control/requests")
    sb.bob("GET", "/company/people/fields")
    sb.search({"fields": ["root.id"]})
    sb.bob("GET", "/timeoff/requests/changes?since=2026-11-20T00:00:00Z")
    log = sb.c("hibob", "GET", "/_control/requests")["requests"]
    eq([(x["method"], x["path"], x["status"]) for x in log],
       [("GET", "/v1/company/people/fields", 200), ("POST", "/v1/people/search", 200),
        ("GET", "/v1/timeoff/requests/changes", 200)], "exact log")
    eq(log[2]["query"], "since=2026-11-20T00:00:00Z", "query kept")
    ok(all("Authorization" not in json.dumps(x) and sb.hb_auth[1] not in json.dumps(x) for x in log), "no auth")
    eq(sb.c("hibob", "DELETE", "/_control/requests")["cleared"], 3, "cleared")


def launcher_options():
    """A second sandbox: options, state and env files, and the lifetime."""
    env = tempfile.mktemp(prefix="sandbox-env-")
    sb = Sandbox("--people", "30", "--scenario", "no_timeoff", "--lifetime", "3", "--latency-ms", "200",
                 "--env-file", env, "--seed", "7")
    try:
        st = sb.st
        eq(st["people"], 30, "people")
        ok(st["assembled"]["api_key"].startswith("sk_live_"), "api key format")
        ok(all(st[k]["url"].startswith("http://127.0.0.1:") for k in ("hibob", "assembled", "scim")), "loopback")
        with open(env) as f:
            text = f.read()
        ok("SB_HIBOB_TOKEN=" + st["hibob"]["token"] in text, "env file")
        t0 = time.monotonic()
        eq(sb.bob("GET", "/timeoff/policy-types").status, 403, "--scenario at start")
        ok(time.monotonic() - t0 >= 0.2, "--latency-ms")
        eq(len(people_all(sb, ["root.id"])), 30, "30 people")
        sb.proc.wait(10)
        ok(time.monotonic() - sb.t0 < 9, "exits after --lifetime")
    finally:
        if sb.proc.poll() is None:
            sb.stop()
        os.unlink(env)
    other = Sandbox("--people", "30", "--seed", "7", "--lifetime", "2")
    try:
        eq(other.st["hibob"]["token"], sb.st["hibob"]["token"], "credentials derive from the seed")
    finally:
        other.stop()
    r = subprocess.run([PY, os.path.join(HERE, "sandbox.py"), "--state-file", "/nonexistent/x/state.json",
                        "--scenario", "nope"], capture_output=True, text=True, timeout=60)
    ok(r.returncode != 0 and "nope" in r.stderr, "unknown scenario refused")


def run(args):
    sb = Sandbox("--today", TODAY, "--people", "320", "--seed", "1")
    passed = failed = 0
    try:
        # the checks make more calls than the real limits allow; the
        # rate-limit checks set their own limits
        sb.c("hibob", "POST", "/_control/ratelimit", {"default": 100000})
        sb.c("assembled", "POST", "/_control/ratelimit", {"off": True})
        for fn in CHECKS:
            if args.k and args.k not in fn.__name__:
                continue
            t0 = time.monotonic()
            try:
                fn(sb)
                passed += 1
                if args.v:
                    print("ok   %-50s %.2fs" % (fn.__name__, time.monotonic() - t0))
            except Exception as e:
                failed += 1
                print("FAIL %s: %s" % (fn.__name__, e))
                if args.v:
                    traceback.print_exc()
                for s in ("hibob", "assembled", "scim"):   # leave a clean state for the next check
                    call("DELETE", sb.ctl[s] + "/_control/fault")
                call("POST", sb.ctl["hibob"] + "/_control/scenario", {"name": "default"})
    finally:
        sb.stop()
    if not args.k or args.k in "launcher_options":
        try:
            launcher_options()
            passed += 1
            if args.v:
                print("ok   launcher_options")
        except Exception as e:
            failed += 1
            print("FAIL launcher_options: %s" % e)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def big(n):
    sb = Sandbox("--people", str(n))
    try:
        print("startup (generation + listen) for %d people: %.2f s" % (n, sb.startup))
        sb.c("hibob", "POST", "/_control/ratelimit", {"off": True})
        fields = [f["id"] for f in sb.bob("GET", "/company/people/fields").json()]
        t0 = time.monotonic()
        r = sb.search({"fields": fields, "showInactive": True, "humanReadable": "APPEND"}, timeout=600)
        t = time.monotonic() - t0
        eq(r.status, 200, "status")
        size = len(r.body)
        t1 = time.monotonic()
        emps = json.loads(r.body)["employees"]
        print("full search (%d fields, APPEND): %d employees, %.1f MB in %.2f s (client parse %.2f s)"
              % (len(fields), len(emps), size / 1e6, t, time.monotonic() - t1))
        del emps, r
        st = sb.c("hibob", "GET", "/_control/state?summary=1")["field_ids"]
        typical = ["root.id", "root.email", "root.firstName", "root.surname", "root.displayName",
                   "work.department", "work.site", "work.startDate", "internal.lifecycleStatus",
                   "internal.status", "internal.terminationDate", st["alleo_access"],
                   st["alleo_monthly_all_budget"], st["alleo_oneoff_health_budget"]]
        t0 = time.monotonic()
        r = sb.search({"fields": typical, "showInactive": True, "humanReadable": "APPEND"}, timeout=600)
        print("bobsync-like search (%d fields, APPEND): %.1f MB in %.2f s"
              % (len(typical), len(r.body) / 1e6, time.monotonic() - t0))
        with open("/proc/%d/status" % sb.proc.pid) as f:
            for line in f:
                if line.startswith(("VmHWM", "VmRSS")):
                    print("sandbox " + line.strip())
    finally:
        sb.stop()
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-v", action="store_true")
    ap.add_argument("-k", default="")
    ap.add_argument("--big", type=int, default=0)
    a = ap.parse_args()
    if a.big:
        return big(a.big)
    return run(a)


if __name__ == "__main__":
    sys.exit(main())
