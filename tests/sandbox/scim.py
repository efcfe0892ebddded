"""scim.py - a fake Alleo SCIM 2.0 service with an OAuth2 token endpoint.

POST /oauth/token (client credentials, id/secret form-urlencoded inside
Basic auth or in the form body; /_control/scim can accept only one way),
then /scim/v2/Users with a Bearer token: filter on externalId or userName
(userName case-insensitive; the externalId filter can be refused), paging
(startIndex/count; the cap and the readings the docs leave open set by
/_control/paging), POST (409 on a taken userName or externalId), PATCH
(PatchOp; path or value-object form), PUT, DELETE, GET
/ServiceProviderConfig and /Schemas.

Strict by default, as a validating server reads RFC 7643/7644: only the
core User schema is listed, so an unknown schema URN or attribute is
refused (400 invalidValue / invalidSyntax, RFC 7644 3.12), a PATCH path
must be an attribute path (a bare schema URN is invalidPath) and a null
value is refused (clear with remove).  Alleo publishes no extension; the
made-up EXT_URN (dates, budgets) is listed only as an opt-in scenario.
Tokens expire (settable); a configurable rate limit answers 429 with
Retry-After.
"""
import base64
import datetime as dt
import re
import secrets
import time
import urllib.parse
import uuid

import common
from common import json_response, empty_response

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
EXT_URN = "urn:ietf:params:scim:schemas:extension:alleo:2.0:User"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCHOP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
BULK_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
BULK_MAX_OPS = 1000            # RFC 7644 3.7 / 7643 5's example limits
BULK_MAX_PAYLOAD = 1048576
SCIM_CT = "application/scim+json"
FILTER = re.compile(r'^\s*(\w+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.I)
MAX_COUNT = 200
SCHEMA_LIST = "urn:ietf:params:scim:schemas:core:2.0:Schema"
# RFC 7643 3.1 and 4.1: the attributes of a core User resource
CORE_ATTRS = {"schemas", "id", "externalId", "meta", "userName", "name", "displayName",
              "nickName", "profileUrl", "title", "userType", "preferredLanguage", "locale",
              "timezone", "active", "password", "emails", "phoneNumbers", "ims", "photos",
              "addresses", "groups", "entitlements", "roles", "x509Certificates"}
ENTERPRISE_ATTRS = {"employeeNumber", "costCenter", "organization", "division", "department",
                    "manager"}
EXT_ATTRS = {"onboardingDate", "terminationDate", "offboardingDate", "budgets", "startDate",
             "endDate", "birthday", "department", "prefix"}


def scim_error(status, detail, scim_type=None, headers=None):
    body = {"schemas": [ERROR], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return json_response(body, status, headers, ctype=SCIM_CT)


def now_iso():
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class Scim:
    def __init__(self, world):
        self.w = world
        self.users = {}           # id -> resource
        self.order = []           # ids in creation order
        self.by_name = {}         # casefolded userName -> id
        self.by_ext = {}          # externalId -> id
        self.tokens = {}          # token -> expiry epoch
        self.expires_in = 3600
        self.per_minute = 600
        self.retry_after = 2
        self.window = common.FixedWindow(self.per_minute, 60.0)
        self.base = ""            # set by the launcher: http://127.0.0.1:port
        # paging of GET /Users: targets-api.md B.4 confirms only the filtered
        # lookups, so the readings it leaves open are switchable
        # (/_control/paging); the default is RFC 7644 3.4.2.4 (an unfiltered
        # listing is served, a count above the cap is cut to it silently)
        self.max_count = MAX_COUNT
        self.over_max = "cap"     # or "error": 400 invalidValue above the cap
        self.unfiltered = True    # False: 400 invalidFilter without a filter
        # /_control/scim: what the service lists and accepts (strict default)
        self.extension = False    # True: EXT_URN listed in /Schemas and accepted
        self.enterprise = False   # True: the enterprise extension listed
        self.ext_filter = True    # False: externalId filter -> 400 invalidFilter
        self.token_auth = "both"  # "basic" or "body": the only way accepted
        self.patch_supported = True   # False: ServiceProviderConfig says no PATCH
        # /_control/bulk: RFC 7644 3.7.  Whether Alleo takes bulk requests is
        # unconfirmed, so by default it does not (bulk.supported false, /Bulk
        # answers 501 like an unsupported feature)
        self.bulk = False
        self.bulk_max_ops = BULK_MAX_OPS
        self.bulk_max_payload = BULK_MAX_PAYLOAD
        self.bulk_over_max = "413"    # or "tooMany": 400 scimType tooMany above maxOperations
        self.bulk_advertise = {}      # limits advertised instead of the enforced ones
        self.bulk_fail = []           # [{"match": text in the op's data, "status", "scimType"}]
        self.bulk_drop = []           # text: ops whose data holds it are applied but not answered
        self.bulk_requests = 0
        self.bulk_ops = 0

    def listed(self):
        """Schema URNs a User may carry: core, plus what the scenario lists."""
        out = [CORE]
        if self.enterprise:
            out.append(ENTERPRISE)
        if self.extension:
            out.append(EXT_URN)
        return out

    def schemas_doc(self):
        def attrs(names):
            return [{"name": n, "type": "string", "multiValued": False, "required": n == "userName",
                     "mutability": "readWrite", "returned": "default", "uniqueness": "none"}
                    for n in sorted(names)]
        docs = {CORE: ("User", CORE_ATTRS - {"schemas", "id", "meta"}),
                ENTERPRISE: ("EnterpriseUser", ENTERPRISE_ATTRS),
                EXT_URN: ("AlleoUser", EXT_ATTRS)}
        res = [{"schemas": [SCHEMA_LIST], "id": u, "name": docs[u][0], "attributes": attrs(docs[u][1]),
                "meta": {"resourceType": "Schema", "location": "%s/scim/v2/Schemas/%s" % (self.base, u)}}
               for u in self.listed()]
        return {"schemas": [LIST], "totalResults": len(res), "startIndex": 1, "itemsPerPage": len(res),
                "Resources": res}

    # ---- auth ----
    def token(self, req):
        ct = req.headers.get("Content-Type", "")
        if "application/x-www-form-urlencoded" not in ct:
            return json_response({"error": "invalid_request",
                                  "error_description": "send a form body"}, 400)
        form = urllib.parse.parse_qs(req.body.decode("utf-8", "replace"), keep_blank_values=True)
        g = lambda k: (form.get(k) or [None])[0]
        if g("grant_type") != "client_credentials":
            return json_response({"error": "unsupported_grant_type"}, 400)
        cid, sec = g("client_id"), g("client_secret")
        basic = req.basic_auth()
        refuse = lambda why: json_response({"error": "invalid_client", "error_description": why}, 401,
                                           {"WWW-Authenticate": 'Basic realm="alleo"'})
        if basic is not None and self.token_auth == "body":
            return refuse("send the client credentials in the request body")
        if basic is None and cid is not None and self.token_auth == "basic":
            return refuse("send the client credentials by HTTP Basic")
        if basic is not None:
            # RFC 6749 2.3.1: both are form-urlencoded before Basic
            cid, sec = urllib.parse.unquote_plus(basic[0]), urllib.parse.unquote_plus(basic[1])
        ids = self.w.company.ids
        if cid != ids["client_id"] or sec != ids["client_secret"]:
            return json_response({"error": "invalid_client"}, 401,
                                 {"WWW-Authenticate": 'Basic realm="alleo"'})
        tok = secrets.token_urlsafe(32)
        with self.w.lock:
            self.tokens[tok] = time.time() + self.expires_in
        return json_response({"access_token": tok, "token_type": "Bearer",
                              "expires_in": int(self.expires_in)},
                             headers={"Cache-Control": "no-store"})

    def handle(self, req):
        if req.path == "/oauth/token":
            if req.method != "POST":
                return json_response({"error": "invalid_request"}, 405)
            return self.token(req)
        if not req.path.startswith("/scim/v2/"):
            return scim_error(404, "not found")
        tok = req.bearer()
        with self.w.lock:
            exp = self.tokens.get(tok) if tok else None
        if exp is None:
            return scim_error(401, "missing or invalid access token",
                              headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if time.time() >= exp:
            return scim_error(401, "access token expired",
                              headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        ok, _, _, reset = self.window.hit("all")
        if not ok:
            ra = self.retry_after if self.retry_after is not None else max(1, int(reset - time.time()))
            return scim_error(429, "too many requests", headers={"Retry-After": str(ra)})
        sub = req.path[len("/scim/v2"):]
        m = req.method
        if sub in ("/Users", "/Users/"):
            if m == "GET":
                return self.list(req)
            if m == "POST":
                return self.create(req)
            return scim_error(405, "method not allowed")
        mm = re.match(r"^/Users/([^/]+)$", sub)
        if mm:
            uid = mm.group(1)
            if m == "GET":
                with self.w.lock:
                    u = self.users.get(uid)
                    return json_response(u, ctype=SCIM_CT) if u else scim_error(404, "User %s not found" % uid)
            if m == "PUT":
                return self.replace(req, uid)
            if m == "PATCH":
                return self.patch(req, uid)
            if m == "DELETE":
                with self.w.lock:
                    u = self.users.pop(uid, None)
                    if u is None:
                        return scim_error(404, "User %s not found" % uid)
                    self.unindex(u)
                    self.order.remove(uid)
                return empty_response(204)
        if sub == "/Bulk":
            if m != "POST":
                return scim_error(405, "method not allowed")
            return self.bulk_post(req)
        if sub in ("/Schemas", "/Schemas/") and m == "GET":
            return json_response(self.schemas_doc(), ctype=SCIM_CT)
        mm = re.match(r"^/Schemas/(.+)$", sub)
        if mm and m == "GET":
            hit = [r for r in self.schemas_doc()["Resources"] if r["id"] == mm.group(1)]
            return json_response(hit[0], ctype=SCIM_CT) if hit else scim_error(404, "no such schema")
        if sub == "/ServiceProviderConfig":
            return json_response({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
                                  "patch": {"supported": self.patch_supported},
                                  "bulk": self.bulk_config(),
                                  "filter": {"supported": True, "maxResults": self.max_count},
                                  "authenticationSchemes": [{"type": "oauthbearertoken",
                                                             "name": "OAuth Bearer Token"}]},
                                 ctype=SCIM_CT)
        return scim_error(404, "not found")

    # ---- users ----
    def list(self, req):
        flt = req.q("filter")
        try:
            start = int(req.q("startIndex", 1))
            count = int(req.q("count", 100))
        except ValueError:
            return scim_error(400, "startIndex and count must be integers", "invalidValue")
        start = max(1, start)
        if count > self.max_count and self.over_max == "error":
            return scim_error(400, "count must be at most %d" % self.max_count, "invalidValue")
        count = max(0, min(count, self.max_count))
        if not flt and not self.unfiltered:
            return scim_error(400, "a filter is required: use userName eq or externalId eq",
                              "invalidFilter")
        with self.w.lock:
            if flt:
                mm = FILTER.match(flt)
                if not mm or mm.group(1).lower() not in ("username", "externalid"):
                    return scim_error(400, "unsupported filter %r: use userName eq or externalId eq" % flt,
                                      "invalidFilter")
                attr = mm.group(1).lower()
                if attr == "externalid" and not self.ext_filter:
                    return scim_error(400, "externalId is not a filterable attribute: use userName eq",
                                      "invalidFilter")
                val = re.sub(r"\\(.)", r"\1", mm.group(2))
                hit = self.by_name.get(val.casefold()) if attr == "username" else self.by_ext.get(val)
                ids = [hit] if hit else []
            else:
                ids = self.order
            page = [self.users[i] for i in ids[start - 1:start - 1 + count]]
            return json_response({"schemas": [LIST], "totalResults": len(ids), "startIndex": start,
                                  "itemsPerPage": len(page), "Resources": page}, ctype=SCIM_CT)

    def body(self, req):
        ct = req.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ct not in (SCIM_CT, "application/json"):
            raise ScimError(scim_error(415, "Content-Type must be %s" % SCIM_CT))
        try:
            return common.body_object(req)
        except ValueError as e:
            raise ScimError(scim_error(400, "invalid JSON: %s" % e, "invalidSyntax"))

    def check_schema(self, u):
        """Strict RFC 7643 reading: only listed schemas, only their attributes,
        no null values.  A response, or None."""
        listed = self.listed()
        for urn in u.get("schemas") or []:
            if urn not in listed:
                return scim_error(400, "unknown schema %s (see /Schemas)" % urn, "invalidValue")
        for k, v in u.items():
            if k in listed and k != CORE:
                if k not in (u.get("schemas") or []):
                    return scim_error(400, "%s is not in schemas" % k, "invalidValue")
                if not isinstance(v, dict):
                    return scim_error(400, "%s must be an object" % k, "invalidValue")
                allowed = ENTERPRISE_ATTRS if k == ENTERPRISE else EXT_ATTRS
                for a, av in v.items():
                    if a not in allowed:
                        return scim_error(400, "unknown attribute %s:%s" % (k, a), "invalidSyntax")
                    if av is None:
                        return scim_error(400, "%s:%s is null: remove it instead" % (k, a), "invalidValue")
                continue
            if k not in CORE_ATTRS:
                return scim_error(400, "unknown attribute %s for schema %s" % (k, CORE), "invalidSyntax")
            if v is None:
                return scim_error(400, "%s is null: leave it out or remove it" % k, "invalidValue")
        return None

    def validate(self, u, self_id=None):
        bad = self.check_schema(u)
        if bad:
            return bad
        if not isinstance(u.get("userName"), str) or not u["userName"].strip():
            return scim_error(400, "userName is required", "invalidValue")
        if "externalId" in u and u["externalId"] is not None and not isinstance(u["externalId"], str):
            return scim_error(400, "externalId must be a string", "invalidValue")
        if "active" in u and not isinstance(u["active"], bool):
            return scim_error(400, "active must be a boolean", "invalidValue")
        other = self.by_name.get(u["userName"].casefold())
        if other is not None and other != self_id:
            return self.conflict("userName %s is already taken" % u["userName"], self.users[other])
        other = self.by_ext.get(u.get("externalId")) if u.get("externalId") else None
        if other is not None and other != self_id:
            return self.conflict("externalId %s is already taken" % u["externalId"], self.users[other])
        return None

    def index(self, u):
        self.by_name[u["userName"].casefold()] = u["id"]
        if u.get("externalId"):
            self.by_ext[u["externalId"]] = u["id"]

    def unindex(self, u):
        self.by_name.pop(u["userName"].casefold(), None)
        if u.get("externalId"):
            self.by_ext.pop(u["externalId"], None)

    def store(self, u, old=None):
        """Put u (stamped) in the store, replacing old."""
        if old is not None:
            self.unindex(old)
        else:
            self.order.append(u["id"])
        self.users[u["id"]] = u
        self.index(u)

    def conflict(self, detail, other):
        return scim_error(409, "%s (by user %s)" % (detail, other["id"]), "uniqueness")

    def stamp(self, u, uid, created=None):
        ts = now_iso()
        schemas = [CORE]
        for k in (ENTERPRISE, EXT_URN):
            if k in u and u[k]:
                schemas.append(k)
            elif k in u:
                del u[k]
        u["schemas"] = schemas
        u["id"] = uid
        u.setdefault("active", True)
        u["meta"] = {"resourceType": "User", "created": created or ts, "lastModified": ts,
                     "location": "%s/scim/v2/Users/%s" % (self.base, uid),
                     "version": 'W/"%s"' % uuid.uuid4().hex[:12]}
        return u

    def create(self, req):
        try:
            u = self.body(req)
        except ScimError as e:
            return e.resp
        if CORE not in (u.get("schemas") or []):
            return scim_error(400, "schemas must contain %s" % CORE, "invalidValue")
        u = {k: v for k, v in u.items() if k not in ("id", "meta")}
        with self.w.lock:
            bad = self.validate(u)
            if bad:
                return bad
            uid = str(uuid.uuid4())
            self.stamp(u, uid)
            self.store(u)
            return json_response(u, 201, {"Location": u["meta"]["location"]}, ctype=SCIM_CT)

    def replace(self, req, uid):
        try:
            u = self.body(req)
        except ScimError as e:
            return e.resp
        with self.w.lock:
            cur = self.users.get(uid)
            if cur is None:
                return scim_error(404, "User %s not found" % uid)
            u = {k: v for k, v in u.items() if k not in ("id", "meta")}
            bad = self.validate(u, uid)
            if bad:
                return bad
            self.stamp(u, uid, cur["meta"]["created"])
            self.store(u, cur)
            return json_response(u, ctype=SCIM_CT)

    def patch(self, req, uid):
        try:
            body = self.body(req)
        except ScimError as e:
            return e.resp
        if PATCHOP not in (body.get("schemas") or []):
            return scim_error(400, "schemas must contain %s" % PATCHOP, "invalidValue")
        ops = body.get("Operations")
        if not isinstance(ops, list) or not ops:
            return scim_error(400, "Operations must be a non-empty array", "invalidValue")
        with self.w.lock:
            cur = self.users.get(uid)
            if cur is None:
                return scim_error(404, "User %s not found" % uid)
            u = _deepcopy(cur)
            for urn in (ENTERPRISE, EXT_URN):
                if urn not in self.listed():
                    # stored while the scenario listed it: not the request's doing
                    u.pop(urn, None)
                    u["schemas"] = [x for x in u.get("schemas", [CORE]) if x != urn]
            for op in ops:
                if not isinstance(op, dict):
                    return scim_error(400, "invalid operation", "invalidSyntax")
                kind = str(op.get("op", "")).lower()
                if kind not in ("add", "replace", "remove"):
                    return scim_error(400, "unsupported op %r" % op.get("op"), "invalidSyntax")
                path = op.get("path")
                val = op.get("value")
                if kind != "remove" and ("value" not in op or val is None):
                    return scim_error(400, "a null value is not allowed: clear with remove",
                                      "invalidValue")
                try:
                    if path is None:
                        if kind == "remove" or not isinstance(val, dict):
                            return scim_error(400, "an operation without path needs an object value",
                                              "noTarget")
                        for k, v in val.items():
                            if k in self.listed() and k != CORE and isinstance(v, dict):
                                # the value form keys an extension by its URN
                                u.setdefault(k, {}).update(v)
                                continue
                            apply_path(u, k, v, "replace" if kind == "replace" else "add",
                                       self.listed())
                    else:
                        apply_path(u, path, val, kind, self.listed())
                except PathError as e:
                    return scim_error(400, str(e), "invalidPath")
            for urn in (ENTERPRISE, EXT_URN):
                if u.get(urn) and urn not in u.setdefault("schemas", [CORE]):
                    u["schemas"].append(urn)
            bad = self.validate(u, uid)
            if bad:
                return bad
            self.stamp(u, uid, cur["meta"]["created"])
            self.store(u, cur)
            return json_response(u, ctype=SCIM_CT)

    # ---- bulk (RFC 7644 3.7) ----
    def bulk_config(self):
        if not self.bulk:
            return {"supported": False, "maxOperations": 0, "maxPayloadSize": 0}
        c = {"supported": True, "maxOperations": self.bulk_max_ops,
             "maxPayloadSize": self.bulk_max_payload}
        c.update(self.bulk_advertise)
        return c

    def bulk_post(self, req):
        """One bulk request, counted once against the rate limit like any
        other request (handle() did that).  The limits are checked before any
        operation is applied: a refused bulk changes nothing."""
        if not self.bulk:
            return scim_error(501, "bulk operations are not supported")
        if len(req.body) > self.bulk_max_payload:
            return scim_error(413, "the bulk request is %d bytes; maxPayloadSize is %d"
                              % (len(req.body), self.bulk_max_payload))
        try:
            body = self.body(req)
        except ScimError as e:
            return e.resp
        if BULK_REQUEST not in (body.get("schemas") or []):
            return scim_error(400, "schemas must contain %s" % BULK_REQUEST, "invalidValue")
        ops = body.get("Operations")
        if not isinstance(ops, list):
            return scim_error(400, "Operations must be an array", "invalidSyntax")
        if len(ops) > self.bulk_max_ops:
            detail = "%d operations; maxOperations is %d" % (len(ops), self.bulk_max_ops)
            if self.bulk_over_max == "tooMany":
                return scim_error(400, detail, "tooMany")
            return scim_error(413, detail)
        fail_on = body.get("failOnErrors")
        with self.w.lock:
            self.bulk_requests += 1
            self.bulk_ops += len(ops)
        out, errors = [], 0
        for op in ops:
            if isinstance(fail_on, int) and fail_on > 0 and errors >= fail_on:
                break
            res = self.bulk_one(op)
            if res is None:
                continue
            if int(res["status"]) >= 400:
                errors += 1
            out.append(res)
        return json_response({"schemas": [BULK_RESPONSE], "Operations": out}, ctype=SCIM_CT)

    def bulk_one(self, op):
        """Apply one operation through the per-request code: the answer of
        the request it stands for, as a BulkResponse operation (status a
        string, as in RFC 7644 3.7.3's examples); None when dropped."""
        if not isinstance(op, dict):
            return {"status": "400", "response": _err_body(400, "invalid operation", "invalidSyntax")}
        method = str(op.get("method", "")).upper()
        path = op.get("path", "")
        bulk_id = op.get("bulkId")
        res = {"method": method}
        if bulk_id is not None:
            res["bulkId"] = bulk_id
        text = common.dumps(op.get("data")).decode("utf-8")
        dropped = any(d and d in text for d in self.bulk_drop)
        for f in self.bulk_fail:
            if f.get("match") and f["match"] in text:
                res["status"] = str(f.get("status", 400))
                res["response"] = _err_body(int(f.get("status", 400)), "refused by the scenario",
                                            f.get("scimType"))
                return res
        if method == "POST" and not isinstance(bulk_id, str):
            res["status"] = "400"
            res["response"] = _err_body(400, "a POST operation needs a bulkId", "invalidSyntax")
            return res
        shim = _Shim(op.get("data"))
        mm = re.match(r"^/Users/([^/]+)$", path or "")
        if method == "POST" and path == "/Users":
            resp = self.create(shim)
        elif method == "PATCH" and mm:
            resp = self.patch(shim, mm.group(1))
            res["location"] = "%s/scim/v2/Users/%s" % (self.base, mm.group(1))
        elif method == "PUT" and mm:
            resp = self.replace(shim, mm.group(1))
            res["location"] = "%s/scim/v2/Users/%s" % (self.base, mm.group(1))
        else:
            res["status"] = "400"
            res["response"] = _err_body(400, "unsupported operation %s %s" % (method, path),
                                        "invalidPath")
            return res
        if dropped:
            return None     # applied, but left out of the answer
        res["status"] = str(resp.status)
        if resp.status < 300:
            res["location"] = resp.obj["meta"]["location"]
            res["version"] = resp.obj["meta"]["version"]
        else:
            res["response"] = resp.obj
            if method == "POST":
                res.pop("location", None)
        return res

    # ---- control ----
    def control(self, req):
        p, m = req.path, req.method
        if p == "/_control/users" and m == "GET":
            with self.w.lock:
                return json_response({"users": [self.users[i] for i in self.order],
                                      "count": len(self.order)})
        if p == "/_control/users" and m == "POST":
            try:
                u = common.body_object(req)
            except ValueError as e:
                return json_response({"error": str(e)}, 400)
            u.setdefault("schemas", [CORE])
            with self.w.lock:
                bad = self.validate(u)
                if bad:
                    return bad
                uid = str(uuid.uuid4())
                self.stamp(u, uid)
                self.store(u)
                return json_response(u, 201)
        if p == "/_control/users" and m == "DELETE":
            with self.w.lock:
                self.users, self.order, self.by_name, self.by_ext = {}, [], {}, {}
            return json_response({"users": []})
        if p == "/_control/token" and m == "POST":
            try:
                body = common.body_object(req)
            except ValueError as e:
                return json_response({"error": str(e)}, 400)
            with self.w.lock:
                if "expires_in" in body:
                    self.expires_in = float(body["expires_in"])
                if body.get("expire_all"):
                    for t in self.tokens:
                        self.tokens[t] = 0
                if body.get("revoke"):
                    self.tokens = {}
                return json_response({"expires_in": self.expires_in, "tokens": len(self.tokens)})
        if p == "/_control/paging" and m == "POST":
            try:
                body = common.body_object(req)
            except ValueError as e:
                return json_response({"error": str(e)}, 400)
            if body.get("over_max", "cap") not in ("cap", "error"):
                return json_response({"error": "over_max is cap or error"}, 400)
            with self.w.lock:
                self.max_count = int(body.get("max_count", MAX_COUNT))
                self.over_max = body.get("over_max", "cap")
                self.unfiltered = bool(body.get("unfiltered", True))
            return json_response({"max_count": self.max_count, "over_max": self.over_max,
                                  "unfiltered": self.unfiltered})
        if p == "/_control/scim" and m in ("GET", "POST"):
            if m == "POST":
                try:
                    body = common.body_object(req)
                except ValueError as e:
                    return json_response({"error": str(e)}, 400)
                if body.get("token_auth", "both") not in ("both", "basic", "body"):
                    return json_response({"error": "token_auth is both, basic or body"}, 400)
                with self.w.lock:
                    self.extension = bool(body.get("extension", False))
                    self.enterprise = bool(body.get("enterprise", False))
                    self.ext_filter = bool(body.get("ext_filter", True))
                    self.token_auth = body.get("token_auth", "both")
                    self.patch_supported = bool(body.get("patch", True))
            return json_response({"extension": self.extension, "enterprise": self.enterprise,
                                  "patch": self.patch_supported,
                                  "ext_filter": self.ext_filter, "token_auth": self.token_auth,
                                  "schemas": self.listed()})
        if p == "/_control/bulk" and m in ("GET", "POST"):
            if m == "POST":
                try:
                    body = common.body_object(req)
                except ValueError as e:
                    return json_response({"error": str(e)}, 400)
                if body.get("over_max", "413") not in ("413", "tooMany"):
                    return json_response({"error": "over_max is 413 or tooMany"}, 400)
                with self.w.lock:
                    self.bulk = bool(body.get("supported", False))
                    self.bulk_max_ops = int(body.get("max_operations", BULK_MAX_OPS))
                    self.bulk_max_payload = int(body.get("max_payload", BULK_MAX_PAYLOAD))
                    self.bulk_over_max = body.get("over_max", "413")
                    self.bulk_advertise = dict(body.get("advertise") or {})
                    self.bulk_fail = list(body.get("fail") or [])
                    self.bulk_drop = list(body.get("drop") or [])
                    if body.get("reset_counts"):
                        self.bulk_requests = self.bulk_ops = 0
            return json_response({"supported": self.bulk, "max_operations": self.bulk_max_ops,
                                  "max_payload": self.bulk_max_payload,
                                  "over_max": self.bulk_over_max, "advertised": self.bulk_config(),
                                  "fail": self.bulk_fail, "drop": self.bulk_drop,
                                  "requests": self.bulk_requests, "operations": self.bulk_ops})
        if p == "/_control/ratelimit" and m == "POST":
            try:
                body = common.body_object(req)
            except ValueError as e:
                return json_response({"error": str(e)}, 400)
            if body.get("off"):
                self.per_minute = None
            elif "per_minute" in body:
                self.per_minute = body["per_minute"]
            if "retry_after" in body:
                self.retry_after = body["retry_after"]
            self.window = common.FixedWindow(self.per_minute, float(body.get("window", 60.0)))
            return json_response({"per_minute": self.per_minute, "retry_after": self.retry_after})
        return self.w.common_control(req)


def _err_body(status, detail, scim_type=None):
    body = {"schemas": [ERROR], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return body


class _Shim:
    """A bulk operation's data as a request the per-request code can take."""

    def __init__(self, data):
        self.headers = {"Content-Type": SCIM_CT}
        self.body = common.dumps(data) if data is not None else b""
        self._data = data

    def json(self):
        return self._data


class ScimError(Exception):
    def __init__(self, resp):
        super().__init__("scim error")
        self.resp = resp


class PathError(Exception):
    pass


def _deepcopy(o):
    if isinstance(o, dict):
        return {k: _deepcopy(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_deepcopy(v) for v in o]
    return o


EMAIL_FILTER = re.compile(r'^emails\[\s*type\s+eq\s+"(\w+)"\s*\](?:\.(\w+))?$', re.I)
SIMPLE = {"active", "username", "externalid", "displayname", "nickname", "title", "locale",
          "preferredlanguage", "timezone", "usertype"}


def apply_path(u, path, val, kind, listed=(CORE,)):
    """Apply one PATCH operation at `path` to user u (RFC 7644 3.5.2, the
    subset Entra and Okta send).  A bare schema URN is not an attribute
    path (RFC 7644 3.10: attrPath = [URI ":"] ATTRNAME *1subAttr); a URN
    the service does not list is refused."""
    if not isinstance(path, str) or not path:
        raise PathError("invalid path")
    for urn in (EXT_URN, ENTERPRISE):
        if path == urn:
            raise PathError("%s is a schema, not an attribute path: use %s:attribute" % (urn, urn))
        if path.startswith(urn + ":"):
            if urn not in listed:
                raise PathError("unknown schema %s (see /Schemas)" % urn)
            attr = path[len(urn) + 1:]
            node = u.setdefault(urn, {})
            parts = attr.split(".")
            for k in parts[:-1]:
                node = node.setdefault(k, {})
            if kind == "remove":
                node.pop(parts[-1], None)
            else:
                node[parts[-1]] = val
            return
    low = path.lower()
    if low in SIMPLE:
        key = {"username": "userName", "externalid": "externalId", "displayname": "displayName",
               "nickname": "nickName", "preferredlanguage": "preferredLanguage",
               "usertype": "userType"}.get(low, low)
        if kind == "remove":
            if key == "userName":
                raise PathError("userName cannot be removed")
            u.pop(key, None)
        else:
            if key == "active" and isinstance(val, str) and val.lower() in ("true", "false"):
                val = val.lower() == "true"   # Entra sends "False" as a string
            u[key] = val
        return
    if low == "name":
        if kind == "remove":
            u.pop("name", None)
        elif isinstance(val, dict):
            u.setdefault("name", {}).update(val)
        else:
            raise PathError("name needs an object")
        return
    if low.startswith("name."):
        sub = {"givenname": "givenName", "familyname": "familyName", "formatted": "formatted",
               "middlename": "middleName", "honorificprefix": "honorificPrefix"}.get(low[5:])
        if sub is None:
            raise PathError("unknown attribute %s" % path)
        if kind == "remove":
            u.get("name", {}).pop(sub, None)
        else:
            u.setdefault("name", {})[sub] = val
        return
    if low == "emails":
        if kind == "remove":
            u.pop("emails", None)
        elif isinstance(val, list):
            if kind == "add":
                u.setdefault("emails", []).extend(val)
            else:
                u["emails"] = val
        else:
            raise PathError("emails needs an array")
        return
    mm = EMAIL_FILTER.match(path)
    if mm:
        typ, sub = mm.group(1), mm.group(2) or None
        emails = u.setdefault("emails", [])
        hit = [e for e in emails if isinstance(e, dict) and e.get("type") == typ]
        if kind == "remove":
            u["emails"] = [e for e in emails if e not in hit]
            return
        if not hit:
            e = {"type": typ}
            emails.append(e)
            hit = [e]
        for e in hit:
            if sub:
                e[sub] = val
            elif isinstance(val, dict):
                e.update(val)
        return
    raise PathError("unsupported path %s" % path)


def basic(cid, secret):
    return "Basic " + base64.b64encode(("%s:%s" % (cid, secret)).encode()).decode()
