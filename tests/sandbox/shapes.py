#!/usr/bin/python3
"""shapes.py - answer shapes of what the sandbox served, and a field-by-field
comparison of two shape files.

    python3 tests/sandbox/shapes.py from-log LOG [LOG...] -o OUT
        the shapes of every answer in sandbox answer logs (sandbox.py
        --answer-log), in the format `bobsync check --record FILE` writes
        (core/admin/shape.h): keys, JSON types and list lengths, never a value
    python3 tests/sandbox/shapes.py compare RECORDED SANDBOX
        every difference, one line each ("where: what"); exit 1 when
        there is one.  List lengths and answer counts are not compared
        (a real company is bigger than the sandbox's).

Answers the sandbox deliberately broke (faults) are left out, except the
`plant` fault, whose point is a changed answer.  Standard library only.
"""
import argparse
import json
import re
import sys

# the sandbox's base paths, named as bobsync names the services (core/admin/shape.h)
BASES = {"hibob": [("/v1", "hibob")], "assembled": [("/v0", "assembled")],
         "scim": [("/scim/v2", "alleo"), ("/oauth/token", "alleo.token")]}

_HEXDASH = re.compile(r"^[0-9A-Fa-f-]+$")
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_./:-]*$")
_PLAIN_SEG = re.compile(r"^([A-Za-z_.-]+|v[0-9]+)$")
_DIGITS5 = re.compile(r"[0-9]{5,}")


def shape_key(key):
    if "@" in key:
        return "{email}"
    if _HEXDASH.match(key) and re.search(r"[0-9]", key):
        return "{id}"
    if not _PLAIN_KEY.match(key):
        return "{text}"
    return _DIGITS5.sub("{n}", key)


def shape_path(path):
    path = re.split(r"[?#]", path, 1)[0]
    out = "/".join(seg if seg == "" or _PLAIN_SEG.match(seg) else "{id}" for seg in path.split("/"))
    return out or "/"


def type_name(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def merge(into, frm):
    into["types"] = sorted(set(into["types"]) | set(frm["types"]))
    if "keys" in frm:
        keys = into.setdefault("keys", {})
        for k, v in frm["keys"].items():
            if k in keys:
                merge(keys[k], v)
            else:
                keys[k] = json.loads(json.dumps(v))
    if "items" in frm:
        if "items" in into:
            merge(into["items"], frm["items"])
        else:
            into["items"] = json.loads(json.dumps(frm["items"]))
    if "len" in frm:
        if "len" in into:
            into["len"] = [min(into["len"][0], frm["len"][0]), max(into["len"][1], frm["len"][1])]
        else:
            into["len"] = list(frm["len"])


def shape_of(v):
    s = {"types": [type_name(v)]}
    if isinstance(v, dict):
        keys = {}
        for k, m in v.items():
            nk = shape_key(k)
            sub = shape_of(m)
            if nk in keys:
                merge(keys[nk], sub)
            else:
                keys[nk] = sub
        s["keys"] = keys
    elif isinstance(v, list):
        items = None
        for m in v:
            sub = shape_of(m)
            if items is None:
                items = sub
            else:
                merge(items, sub)
        if items is not None:
            s["items"] = items
        s["len"] = [len(v), len(v)]
    return s


def body_shape(text):
    if not text:
        return {"types": ["empty"]}
    try:
        return shape_of(json.loads(text))
    except ValueError:
        return {"types": ["text"]}


def service_of(server, path):
    for prefix, name in BASES.get(server, []):
        if path == prefix or path.startswith(prefix + "/"):
            return name, path[len(prefix):]
    return "other", path


def from_logs(paths):
    answers = {}
    for p in paths:
        with open(p, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                e = json.loads(line)
                if e.get("fault") not in (None, "plant"):
                    continue
                service, rest = service_of(e["server"], e["path"])
                key = "%s %s %s" % (service, e["method"], shape_path(rest))
                byst = answers.setdefault(key, {})
                st = str(e["status"])
                shape = body_shape(e.get("body") or "")
                if st in byst:
                    byst[st]["count"] += 1
                    merge(byst[st]["body"], shape)
                else:
                    byst[st] = {"count": 1, "body": shape}
    return {"format": "bobsync answer shapes", "version": 1, "answers": answers}


def diff_shape(a, b, where, out):
    if a["types"] != b["types"]:
        out.append("%s: types %s recorded, %s in the sandbox" % (where, "|".join(a["types"]),
                                                                 "|".join(b["types"])))
    ak, bk = a.get("keys", {}), b.get("keys", {})
    for k in sorted(set(ak) | set(bk)):
        w = "%s.%s" % (where, k) if where else k
        if k not in bk:
            out.append("%s: only in the recorded answers" % w)
        elif k not in ak:
            out.append("%s: only in the sandbox's answers" % w)
        else:
            diff_shape(ak[k], bk[k], w, out)
    if "items" in a and "items" in b:
        diff_shape(a["items"], b["items"], where + "[]", out)


def compare(rec, sb):
    out = []
    ra, sa = rec.get("answers", {}), sb.get("answers", {})
    for key in sorted(set(ra) | set(sa)):
        if key not in sa:
            out.append("%s: answered only in the recording" % key)
            continue
        if key not in ra:
            out.append("%s: answered only by the sandbox" % key)
            continue
        for st in sorted(set(ra[key]) | set(sa[key])):
            if st not in sa[key]:
                out.append("%s %s: status only in the recording" % (key, st))
            elif st not in ra[key]:
                out.append("%s %s: status only from the sandbox" % (key, st))
            else:
                d = []
                diff_shape(ra[key][st]["body"], sa[key][st]["body"], "", d)
                out.extend("%s %s: %s" % (key, st, line if not line.startswith(":") else
                                          "(body)" + line) for line in d)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    fl = sub.add_parser("from-log")
    fl.add_argument("logs", nargs="+")
    fl.add_argument("-o", "--output", required=True)
    cp = sub.add_parser("compare")
    cp.add_argument("recorded")
    cp.add_argument("sandbox")
    a = ap.parse_args(argv)
    if a.cmd == "from-log":
        doc = from_logs(a.logs)
        with open(a.output, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1, sort_keys=True)
            f.write("\n")
        return 0
    with open(a.recorded, encoding="utf-8") as f:
        rec = json.load(f)
    with open(a.sandbox, encoding="utf-8") as f:
        sb = json.load(f)
    diffs = compare(rec, sb)
    for line in diffs:
        print(line)
    if not diffs:
        print("no difference: %d answer kinds" % len(rec.get("answers", {})))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
