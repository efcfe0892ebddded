#!/usr/bin/python3
"""company.py - a fictional company, generated deterministically from a seed.

    python3 tests/sandbox/company.py --expected [--people N] [--seed S] [--today D]

prints the ground truth (who is eligible for Alleo and why, which time-off
requests would reach Assembled and why not) computed here, in Python,
from design.md's rules, so the C tests can compare bobsync's previews with
it.  The same document is served live at GET /_control/expected.

Everything calendar-like is relative to `today` (the sandbox's --today);
change timestamps in the time-off feed use the real clock (`now`).
Standard library only.
"""
import argparse
import bisect
import functools
import datetime as dt
import hashlib
import json
import random
import sys
import unicodedata
from zoneinfo import ZoneInfo

DOMAIN = "lumenfield.example"
LOOKBACK_DAYS = 30      # timeoff.lookback_days default (cli.md)
SYNC_UNTIL_DAYS = 365   # timeoff.sync_until default +365d

# ---- reference data ---------------------------------------------------------

# (name, weight, titles)
DEPARTMENTS = [
    ("Support", 28, ["Support Agent", "Senior Support Agent", "Support Team Lead", "Support Operations Analyst"]),
    ("Engineering", 24, ["Software Engineer", "Senior Software Engineer", "Staff Engineer", "Engineering Manager", "SRE"]),
    ("Sales", 14, ["Account Executive", "Sales Development Rep", "Sales Manager"]),
    ("Marketing", 8, ["Content Marketer", "Product Marketing Manager", "Designer"]),
    ("People", 6, ["People Partner", "Recruiter", "HR Operations Specialist"]),
    ("Finance", 6, ["Accountant", "Financial Controller", "Payroll Specialist"]),
    ("Operations", 8, ["Office Manager", "IT Administrator", "Workplace Coordinator"]),
    ("Legal", 3, ["Legal Counsel", "Privacy Officer"]),
]
ARCHIVED_DEPARTMENT = "Legacy Ops"
ARCHIVED_TITLE = "Webmaster"

# (name, zone, weight)
SITES = [
    ("Amsterdam", "Europe/Amsterdam", 30),
    ("London", "Europe/London", 20),
    ("New York", "America/New_York", 18),
    ("San Francisco", "America/Los_Angeles", 14),
    ("Bengaluru", "Asia/Kolkata", 18),
]
ARCHIVED_SITE = "Remote (old)"

EMPLOYMENT_TYPES = ["Full-time", "Part-time", "Contractor", "Intern"]
CONTRACTS = ["Permanent", "Fixed term", "Freelance"]

# cost-centre hierarchy (a hierarchy-list custom field)
COST_CENTRES = [
    ("Operations", [("Customer Support", ["Tier 1", "Tier 2"]), ("IT", [])]),
    ("Product", [("Platform", []), ("Apps", [])]),
    ("Go to market", [("Sales", []), ("Marketing", [])]),
    ("General & Administrative", [("Finance", []), ("People", []), ("Legal", [])]),
]

# (display first name, ascii for the e-mail or None to fold)
FIRST = [
    ("Zoë", None), ("José", None), ("Søren", None), ("Priya", None), ("Anne-Marie", None),
    ("María José", "mariajose"), ("Oliver", None), ("Hélène", None), ("Łucja", None), ("Björn", None),
    ("Arjun", None), ("Siobhán", None), ("Ngozi", None), ("Jürgen", None), ("Ana Beatriz", "anabeatriz"),
    ("Kwame", None), ("Ævar", None), ("Chloé", None), ("Mateo", None), ("Aoife", None), ("Lars", None),
    ("Fatima", None), ("Mehmet", None), ("Yasmin", None), ("Ingrid", None), ("Tomás", None),
    ("Ines", None), ("Rafał", None), ("Sofía", None), ("Emma", None), ("Noah", None), ("Liam", None),
    ("Olivia", None), ("Ava", None), ("Lucas", None), ("Mia", None), ("Elif", None), ("Kofi", None),
    ("Ananya", None), ("Rohan", None), ("Aarav", None), ("Diya", None), ("Kavya", None), ("Vikram", None),
    ("Hiroshi", None), ("Yuki", None), ("Haruto", None), ("Sakura", None), ("Wei", None), ("Mei", None),
    ("Jia", None), ("Minh", None), ("Linh", None), ("Đức", None), ("Thảo", None), ("Nikolai", None),
    ("Dagný", None), ("Bartłomiej", None), ("Grzegorz", None), ("Małgorzata", None), ("Renée", None),
    ("François", None), ("Maëlle", None), ("Joël", None), ("Nuno", None), ("João", None), ("Conceição", None),
    ("Şebnem", None), ("Ömer", None), ("Ayşe", None), ("Zsófia", None), ("Ádám", None), ("Eleni", None),
    ("Dimitris", None), ("Pieter", None), ("Femke", None), ("Sanne", None), ("Daan", None), ("Maarten", None),
    ("Oscar", None), ("Freya", None), ("Isla", None), ("Callum", None), ("Rhiannon", None), ("Dylan", None),
    ("Marisol", None), ("Guadalupe", None), ("Xochitl", None), ("Nomvula", None), ("Thandiwe", None),
    ("Chidi", None), ("Amara", None), ("Lakshmi", None), ("Sai", None), ("Rahul", None), ("Neha", None),
]
SURNAME = [
    ("Łukasiewicz-Østergård", None), ("Núñez", None), ("Ærøskøbing", None), ("Raghunathan", None),
    ("van der Berg", "vanderberg"), ("García Fernández", "garciafernandez"), ("Brown", None),
    ("Dubois", None), ("Wiśniewska", None), ("Åkesson", None), ("Venkataraman", None),
    ("Ní Bhriain", "nibhriain"), ("Okonkwo-Adeyemi", None), ("Groß", None), ("dos Santos", "dossantos"),
    ("Mensah", None), ("Þórsson", None), ("de Vries", "devries"), ("van den Heuvel", "vandenheuvel"),
    ("Janssen", None), ("Bakker", None), ("Visser", None), ("Smit", None), ("Meijer", None),
    ("Müller", None), ("Schäfer", None), ("Köhler", None), ("Jørgensen", None), ("Lindqvist", None),
    ("Nowak", None), ("Kowalczyk", None), ("Wójcik", None), ("Dąbrowski", None), ("O'Brien", "obrien"),
    ("MacDonald", None), ("Fitzgerald", None), ("Smith", None), ("Jones", None), ("Taylor", None),
    ("Williams", None), ("Davies", None), ("Evans", None), ("Rodríguez", None), ("Martínez", None),
    ("López", None), ("Hernández", None), ("González", None), ("Pérez", None), ("Sánchez Ruiz", "sanchezruiz"),
    ("Ferreira", None), ("Gonçalves", None), ("Conceição", None), ("Rossi", None), ("Bianchi", None),
    ("Esposito", None), ("Yılmaz", None), ("Kaya", None), ("Demir", None), ("Şahin", None),
    ("Nagy", None), ("Kovács", None), ("Papadopoulos", None), ("Nakamura", None), ("Tanaka", None),
    ("Suzuki", None), ("Watanabe", None), ("Kobayashi", None), ("Chen", None), ("Wang", None),
    ("Zhang", None), ("Liu", None), ("Nguyễn", None), ("Trần", None), ("Phạm", None), ("Sharma", None),
    ("Patel", None), ("Iyer", None), ("Reddy", None), ("Gupta", None), ("Krishnamurthy", None),
    ("Subramanian", None), ("Chatterjee", None), ("Banerjee", None), ("Mukherjee", None),
    ("Okafor", None), ("Adeyemi", None), ("Mensah-Bonsu", None), ("Dlamini", None), ("Nkosi", None),
    ("Haddad", None), ("Khalil", None), ("Haddad-Nasser", None), ("Cohen", None), ("Levi", None),
]
# a few names written in CJK (display) with their romanisation (e-mail)
CJK = [
    ("太郎", "taro", "山田", "yamada"), ("花子", "hanako", "佐藤", "sato"),
    ("娜", "na", "李", "li"), ("伟", "wei", "王", "wang"), ("翔太", "shota", "鈴木", "suzuki"),
    ("美咲", "misaki", "高橋", "takahashi"), ("静", "jing", "张", "zhang"),
]

POLICY_TYPES = {
    # name: (activity, unit, bookingWorkDaysOnly, private)
    "Holiday": ("paidTimeoff", "days", True, False),
    "Sick": ("paidTimeoff", "days", True, False),
    "Parental leave": ("paidTimeoff", "days", False, False),
    "Appointments": ("paidTimeoff", "hours", True, False),
    "Medical": ("paidTimeoff", "days", True, True),
    "Work from home": ("workTime", "days", True, False),
}
PRIVATE_PUBLIC_NAME = "Out of office"

LIFECYCLE_DISPLAY = {
    "employed": "Employed", "hired": "Hired", "terminated": "Terminated",
    "garden leave": "Garden leave", "leave": "Leave", "parental leave": "Parental leave",
    # the company's own leave type, named without "leave" (nobody has it
    # until /_control/person sets it)
    "sabbatical": "Sabbatical",
}
# humanReadable text for a service user whose Bob speaks Dutch (scenario
# "localized"): HiBob formats display values for the caller
LIFECYCLE_DUTCH = {
    "employed": "In dienst", "hired": "Aangenomen", "terminated": "Uit dienst",
    "garden leave": "Vrijgesteld van werk", "leave": "Verlof", "parental leave": "Ouderschapsverlof",
    "sabbatical": "Sabbatsverlof",
}
STATUS_DUTCH = {"Active": "Actief", "Inactive": "Inactief"}

HOURLY_TYPES = ("hours", "hoursOnRange", "specificHoursDayDurations",
                "differentSpecificHoursDayDurations")
DAY_BY_DAY_TYPES = ("differentDayDurations", "specificHoursDayDurations",
                    "differentSpecificHoursDayDurations")


@functools.lru_cache(maxsize=4096)
def fold_ascii(s):
    """Zoë Łukasiewicz-Østergård -> zoelukasiewicz-ostergard (for e-mails)."""
    special = {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "æ": "ae", "Æ": "Ae", "ß": "ss",
               "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "ð": "d", "ı": "i", "'": ""}
    s = "".join(special.get(c, c) for c in s)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return "".join(c for c in s if c.isascii() and (c.isalnum() or c in "-")).lower()


def iso(d):
    return d.isoformat() if d is not None else None


# ---- the model ---------------------------------------------------------------


def request_parts(q):
    """How many parts a several-part request makes: the dates of a range
    type, the days with time off of a per-day type."""
    durs = q.spec.get("durations") if q.spec else None
    if durs is not None:
        n = 0
        for d in durs:
            if d.get("startTime") is not None:
                n += d["startTime"] != d.get("endTime")
            else:
                n += d.get("hours", 0) * 60 + d.get("minutes", 0) > 0
        return n
    return ((q.end or q.start) - q.start).days + 1

class Person:
    __slots__ = ("id", "first", "surname", "email", "dept", "title", "site", "start", "term",
                 "lifecycle", "status", "birthday", "emp_type", "contract", "manager", "access",
                 "budget_monthly", "budget_health", "emp_no", "created", "cost_centre",
                 "pronouns", "private_email", "stale", "index")

    def display(self):
        return "%s %s" % (self.first, self.surname)


class Request:
    """A time-off request as it is now (the change feed keeps status history)."""
    __slots__ = ("id", "emp", "policy", "type", "status", "start", "end", "start_portion",
                 "end_portion", "spec", "created", "approved_at", "declined_at", "deleted",
                 "description", "previous", "original", "date_keys", "reason_code")


class Company:
    """All of the company's state; callers hold `lock` (in the servers)."""

    def __init__(self, people=320, seed=1, today=None, now=None):
        self.seed = seed
        self.today = today or dt.datetime.now(dt.timezone.utc).date()
        self.now = now if now is not None else dt.datetime.now(dt.timezone.utc).timestamp()
        self.rng = random.Random("bobsync-sandbox-%s" % seed)
        self.n = people
        self.people = []
        self.by_id = {}
        self.by_email = {}
        self.requests = []
        self.req_by_id = {}
        self.events = []       # [ts, changeType, request, status, description]
        self.next_req = 24500000 + self.rng.randrange(1000)
        self.lists = {}        # listId -> [item dicts]
        self.ids = {}          # field/list ids
        self._suffix = {}      # e-mail local part -> next number to try
        self._cum = {}         # cumulative weights for _weighted
        self._make_ids()
        self._make_lists()
        self._make_people()
        self._make_timeoff()
        self.events.sort(key=lambda e: e[0])

    # -- ids and lists --
    def _digits(self, n):
        return "%0*d" % (n, self.rng.randrange(10 ** n))

    def _make_ids(self):
        r = self.rng
        base = 1690000000000 + r.randrange(10 ** 10)
        self.ids["access"] = "work.custom.field_%d" % base
        self.ids["monthly"] = "work.custom.field_%d" % (base + 7311)
        self.ids["health"] = "work.custom.field_%d" % (base + 91544)
        self.ids["cost_centre"] = "work.custom.field_%d" % (base + 120033)
        self.ids["access_list"] = "list_%d" % (base - 4122)
        self.ids["cost_list"] = "list_%d" % (base + 120011)
        h = hashlib.sha256(("creds-%s" % self.seed).encode()).hexdigest()
        self.ids["service_user_id"] = "SERVICE-%d" % (int(h[:8], 16) % 90000 + 10000)
        self.ids["token"] = "bob" + h[8:40]
        self.ids["api_key"] = "sk_live_" + h[40:64]
        h2 = hashlib.sha256(("scim-%s" % self.seed).encode()).hexdigest()
        self.ids["client_id"] = "alleo-client-" + h2[:12]
        self.ids["client_secret"] = h2[12:52]

    def _make_lists(self):
        r = self.rng

        def item(iid, name, archived=False, children=None):
            return {"id": iid, "value": name, "name": name, "archived": archived,
                    "children": children or []}

        def sid():
            return str(100000000 + r.randrange(900000000))

        self.dept_ids = [sid() for _ in DEPARTMENTS]
        self.lists["department"] = [item(i, d[0]) for i, d in zip(self.dept_ids, DEPARTMENTS)]
        self.lists["department"].append(item(sid(), ARCHIVED_DEPARTMENT, archived=True))
        # site ids are JSON numbers, like HiBob's
        self.site_ids = [2606110 + 17 * k + r.randrange(10) for k in range(len(SITES))]
        self.lists["site"] = [item(i, s[0]) for i, s in zip(self.site_ids, SITES)]
        self.lists["site"].append(item(2606000 + r.randrange(99), ARCHIVED_SITE, archived=True))
        self.titles = []
        self.title_ids = {}
        for d in DEPARTMENTS:
            for t in d[2]:
                tid = sid()
                self.title_ids[t] = tid
                self.titles.append(item(tid, t))
        self.titles.append(item(sid(), ARCHIVED_TITLE, archived=True))
        self.lists["title"] = self.titles
        self.etype_ids = [sid() for _ in EMPLOYMENT_TYPES]
        self.lists["employmentType"] = [item(i, n) for i, n in zip(self.etype_ids, EMPLOYMENT_TYPES)]
        self.contract_ids = [sid() for _ in CONTRACTS]
        self.lists["contract"] = [item(i, n) for i, n in zip(self.contract_ids, CONTRACTS)]
        # alleo_access: yes / no (string ids); bad_options uses the alternative list
        self.access_item = {"yes": sid(), "no": sid()}
        self.bad_item = {"yes": sid(), "no": sid(), "maybe": sid()}
        self.lists[self.ids["access_list"]] = [item(self.access_item["yes"], "yes"),
                                               item(self.access_item["no"], "no")]
        # hierarchy
        self.cost_leaves = []
        tree = []
        for top, subs in COST_CENTRES:
            kids = []
            for sub, leaves in subs:
                lk = []
                for leaf in leaves:
                    li = item(sid(), leaf)
                    lk.append(li)
                    self.cost_leaves.append(li)
                si = item(sid(), sub, children=lk)
                if not leaves:
                    self.cost_leaves.append(si)
                kids.append(si)
            tree.append(item(sid(), top, children=kids))
        tree.append(item(sid(), "Discontinued projects", archived=True))
        self.lists[self.ids["cost_list"]] = tree
        # internal.lifecycleStatus and internal.status are lists: their
        # values are opaque item ids (own generator: the main one's
        # sequence, and so the company, stays as it was)
        lr = random.Random("lifecycle-%s" % self.seed)
        self.lifecycle_ids = {k: str(90000 + 100 * k2 + lr.randrange(100))
                              for k2, k in enumerate(LIFECYCLE_DISPLAY)}
        self.lists["lifecycleStatus"] = [item(self.lifecycle_ids[k], n)
                                         for k, n in LIFECYCLE_DISPLAY.items()]
        self.status_ids = {"Active": str(lr.randrange(1, 50)), "Inactive": str(lr.randrange(50, 99))}
        self.lists["employeeStatus"] = [item(i, n) for n, i in self.status_ids.items()]
        self.list_names = {n: n for n in self.lists}
        self.list_display = {"department": "Department", "site": "Site", "title": "Job title",
                             "employmentType": "Employment type", "contract": "Contract",
                             self.ids["access_list"]: "alleo_access",
                             self.ids["cost_list"]: "Cost centre",
                             "lifecycleStatus": "Lifecycle status", "employeeStatus": "Status"}
        # id -> name lookups, item ids normalised to str
        self.item_name = {}
        for lid, items in self.lists.items():
            stack = list(items)
            while stack:
                it = stack.pop()
                self.item_name[(lid, str(it["id"]))] = it["name"]
                stack.extend(it["children"])

    # -- people --
    def _new_id(self):
        while True:
            pid = "3" + self._digits(18)
            if pid not in self.by_id:
                return pid

    def _email(self, first_ascii, last_ascii, mixed):
        base = "%s.%s" % (first_ascii, last_ascii)
        base = base.strip(".-") or "person"
        e = "%s@%s" % (base, DOMAIN)
        k = self._suffix.get(base, 2)
        while e.lower() in self.by_email:
            e = "%s%d@%s" % (base, k, DOMAIN)
            k += 1
        self._suffix[base] = k
        if mixed:
            local = e.split("@")[0]
            e = ".".join(p[:1].upper() + p[1:] for p in local.split(".")) + "@" + DOMAIN[:1].upper() + DOMAIN[1:]
        return e

    def _weighted(self, items, wi):
        """Index of an item drawn with the weights in column wi."""
        key = tuple(it[wi] for it in items)
        cum = self._cum.get(key)
        if cum is None:
            cum, t = [], 0
            for it in items:
                t += it[wi]
                cum.append(t)
            self._cum[key] = cum
        return min(bisect.bisect_left(cum, self.rng.uniform(0, cum[-1])), len(items) - 1)

    def add_person(self, first, surname, fa=None, sa=None, dept=None, site=None,
                   lifecycle="employed", access="yes", start=None, term=None, mixed=False,
                   budgets=None):
        """Create one person (used by the generator and by /_control/person)."""
        r = self.rng
        t = self.today
        p = Person()
        p.index = len(self.people)
        p.id = self._new_id()
        p.first = first
        p.surname = surname
        p.email = self._email(fa or fold_ascii(first), sa or fold_ascii(surname), mixed)
        p.dept = self._weighted(DEPARTMENTS, 1) if dept is None else dept
        p.site = self._weighted(SITES, 2) if site is None else site
        titles = DEPARTMENTS[p.dept][2]
        p.title = self.title_ids[titles[r.randrange(len(titles))]]
        p.lifecycle = lifecycle
        if start is None:
            if lifecycle == "hired":
                start = t + dt.timedelta(days=r.randint(3, 60))
            else:
                start = t - dt.timedelta(days=r.randint(45, 3200))
        p.start = start
        if term is None:
            if lifecycle == "terminated":
                term = t - dt.timedelta(days=r.randint(2, 400))
                if term <= start:
                    p.start = term - dt.timedelta(days=r.randint(60, 900))
            elif lifecycle == "garden leave":
                term = t + dt.timedelta(days=r.randint(5, 60))
        p.term = term
        p.status = "Inactive" if lifecycle in ("hired", "terminated") else "Active"
        p.birthday = dt.date(r.randint(1962, 2004), r.randint(1, 12), r.randint(1, 28))
        p.emp_type = self.etype_ids[0 if r.random() < 0.8 else r.randrange(1, len(EMPLOYMENT_TYPES))]
        p.contract = self.contract_ids[0 if r.random() < 0.85 else r.randrange(1, len(CONTRACTS))]
        p.manager = None
        if self.people and r.random() < 0.95:
            p.manager = self.people[r.randrange(min(len(self.people), 40))].id
        p.access = access
        p.budget_monthly = None
        p.budget_health = None
        if budgets is not None:
            p.budget_monthly, p.budget_health = budgets
        elif access == "yes":
            if r.random() < 0.3:
                p.budget_monthly = r.choice([50, 75, 100, 125.5])
            if r.random() < 0.1:
                p.budget_health = r.choice([250, 400, 500])
        p.emp_no = 1000 + len(self.people)
        p.created = "%sT%02d:%02d:%02d.%03d" % (iso(min(p.start, t) - dt.timedelta(days=r.randint(1, 40))),
                                               r.randrange(24), r.randrange(60), r.randrange(60),
                                               r.randrange(1000))
        p.cost_centre = str(self.cost_leaves[r.randrange(len(self.cost_leaves))]["id"]) if r.random() < 0.7 else None
        p.pronouns = r.choice([None, None, "she/her", "he/him", "they/them"])
        p.private_email = "%s.%s@mail.example" % (fold_ascii(first)[:12], r.randrange(1000))
        p.stale = None
        self.people.append(p)
        self.by_id[p.id] = p
        self.by_email[p.email.lower()] = p
        return p

    def _make_people(self):
        d = {name: k for k, (name, _, _) in enumerate(DEPARTMENTS)}
        s = {name: k for k, (name, _, _) in enumerate(SITES)}
        t = self.today
        D = dt.timedelta
        # featured people: every story the demo and the tests need, always present
        featured = [
            ("Zoë", "Łukasiewicz-Østergård", None, None, "Support", "Amsterdam", "employed", "yes", {}),
            ("José", "Núñez", None, None, "Support", "San Francisco", "employed", "yes", {"mixed": True}),
            ("Søren", "Ærøskøbing", None, None, "Engineering", "London", "employed", "no", {}),
            ("太郎", "山田", "taro", "yamada", "Engineering", "San Francisco", "employed", None, {}),
            ("Priya", "Raghunathan", None, None, "Support", "Bengaluru", "employed", "yes",
             {"budgets": (100, 250)}),
            ("Anne-Marie", "van der Berg", None, "vanderberg", "People", "Amsterdam", "hired", "yes",
             {"start": t + D(days=14)}),
            ("María José", "García Fernández", "mariajose", "garciafernandez", "Sales", "New York",
             "terminated", "yes", {"term": t - D(days=20)}),
            ("Oliver", "Brown", None, None, "Finance", "London", "employed", "yes",
             {"term": t + D(days=21)}),
            ("Hélène", "Dubois", None, None, "Marketing", "London", "garden leave", "yes",
             {"term": t + D(days=30)}),
            ("Łucja", "Wiśniewska", None, None, "Support", "Amsterdam", "leave", "yes", {}),
            ("Björn", "Åkesson", None, None, "Support", "Amsterdam", "parental leave", "yes", {}),
            ("娜", "李", "na", "li", "Sales", "New York", "employed", "yes", {"budgets": (75, None)}),
            ("Arjun", "Venkataraman", None, None, "Support", "Bengaluru", "employed", "yes", {}),
            ("Siobhán", "Ní Bhriain", None, "nibhriain", "Support", "London", "employed", "yes", {}),
            ("Đức", "Dương Văn", None, None, "Engineering", "San Francisco", "employed", "yes", {}),
            ("Ngozi", "Okonkwo-Adeyemi", None, None, "Support", "New York", "employed", "yes", {}),
            ("Jürgen", "Groß", None, None, "Finance", "Amsterdam", "hired", "no",
             {"start": t + D(days=40)}),
            ("Ana Beatriz", "dos Santos", "anabeatriz", "dossantos", "Support", "New York", "employed",
             "yes", {}),
            ("Kwame", "Mensah", None, None, "Support", "London", "terminated", "yes",
             {"term": t - D(days=90)}),
            ("花子", "佐藤", "hanako", "sato", "Marketing", "San Francisco", "employed", None, {}),
            ("Ævar", "Þórsson", None, None, "Support", "London", "employed", "yes", {}),
            ("Fatima", "Haddad-Nasser", None, None, "Support", "Bengaluru", "hired", "yes",
             {"start": t + D(days=7)}),
        ]
        self.featured = {}
        for first, last, fa, sa, dept, site, lc, acc, extra in featured[:max(0, self.n)]:
            p = self.add_person(first, last, fa, sa, d[dept], s[site], lc, acc,
                                start=extra.get("start"), term=extra.get("term"),
                                mixed=extra.get("mixed", False), budgets=extra.get("budgets"))
            self.featured[fold_ascii(first) + "." + (sa or fold_ascii(last))] = p
        r = self.rng
        lifecycles = [("employed", 80.5), ("hired", 4), ("terminated", 7), ("leaver", 2),
                      ("garden leave", 1.5), ("leave", 2.5), ("parental leave", 2.5)]
        while len(self.people) < self.n:
            if r.random() < 0.04:
                fn, fa, ln, la = CJK[r.randrange(len(CJK))]
            else:
                fn, fa = FIRST[r.randrange(len(FIRST))]
                ln, la = SURNAME[r.randrange(len(SURNAME))]
            lc = lifecycles[self._weighted(lifecycles, 1)][0]
            term = None
            if lc == "leaver":
                lc = "employed"
                term = t + D(days=r.randint(3, 45))
            x = r.random()
            acc = "yes" if x < 0.7 else ("no" if x < 0.85 else None)
            self.add_person(fn, ln, fa, la, lifecycle=lc, access=acc, term=term,
                            mixed=r.random() < 0.1)

    # -- time off --
    def site_zone(self, p):
        return SITES[p.site][1]

    def _new_request(self, p, policy, rtype, start, end, status="approved", sp="all_day",
                     ep="all_day", spec=None, created=None):
        q = Request()
        q.id = self.next_req
        self.next_req += 1 + self.rng.randrange(3)
        q.emp = p
        q.policy = policy
        q.type = rtype
        q.status = status
        q.start = start
        q.end = end
        q.start_portion = sp
        q.end_portion = ep
        q.spec = spec or {}
        q.created = created if created is not None else self.now
        q.approved_at = None
        q.declined_at = None
        q.deleted = False
        q.description = None
        q.previous = None
        q.original = None
        # request details spell the portion keys one way or the other
        q.date_keys = (q.id % 2 == 0)
        q.reason_code = None
        self.requests.append(q)
        self.req_by_id[q.id] = q
        return q

    def event(self, ts, change, q, status=None):
        self.events.append([ts, change, q, status or q.status, q.description])

    def _history(self, q, final, t0):
        """Feed entries from t0 (epoch) to reach `final` status; sets q.status.
        Returns the time of the last entry."""
        r = self.rng
        now = self.now
        step = lambda t: min(now - 1.0, t + r.uniform(60, 7200))
        if final == "pending":
            q.status = "pending"
            self.event(t0, "Created", q)
            return t0
        if r.random() < 0.5 or final in ("disapproved",):
            self.event(t0, "Created", q, "pending")
            t0 = step(t0)
        if final == "disapproved":
            q.status = "disapproved"
            q.declined_at = t0
            self.event(t0, "Canceled", q)
            return t0
        q.status = "approved"
        q.approved_at = t0
        self.event(t0, "Created", q)
        if r.random() < 0.08:
            t0 = step(t0)
            q.description = "updated note"
            self.event(t0, "Updated", q)
        if final == "canceled":
            t0 = step(t0)
            q.status = "canceled"
            self.event(t0, "Canceled", q)
        elif final == "deleted":
            t0 = step(t0)
            q.deleted = True
            self.event(t0, "Deleted", q, "approved")
        return t0

    def _shape(self, p, kind, start):
        """(type, start, end, sp, ep, spec, policy) for a request of this kind."""
        r = self.rng
        D = dt.timedelta
        tz = self.site_zone(p)
        if kind == "day":
            return "days", start, start, "all_day", "all_day", {}, r.choice(["Holiday", "Holiday", "Sick", "Medical"])
        if kind == "days":
            n = r.randint(2, 12)
            return "days", start, start + D(days=n - 1), "all_day", "all_day", {}, "Holiday"
        if kind == "morning":
            return "days", start, start, "morning", "morning", {}, "Holiday"
        if kind == "afternoon":
            return "days", start, start, "afternoon", "afternoon", {}, r.choice(["Holiday", "Work from home"])
        if kind == "pm_to_am":
            n = r.randint(2, 4)
            return "days", start, start + D(days=n - 1), "afternoon", "morning", {}, "Holiday"
        if kind == "hours":
            h = r.choice([1, 2, 3, 4])
            return "hours", start, start, None, None, {"hoursOnDate": h, "minutes": r.choice([0, 30])}, "Appointments"
        if kind == "portionOnRange":
            return ("portionOnRange", start, start + D(days=4), None, None,
                    {"dayPortion": r.choice(["morning", "afternoon"])}, "Holiday")
        if kind == "hoursOnRange":
            return ("hoursOnRange", start, start + D(days=r.randint(1, 4)), None, None,
                    {"dailyHours": r.choice([2, 4, 6]), "minutes": 0}, "Appointments")
        if kind == "differentDayDurations":
            days = r.randint(2, 4)
            durs = [{"date": iso(start + D(days=k)), "hours": r.choice([2, 4, 8]), "minutes": 0}
                    for k in range(days)]
            return "differentDayDurations", start, start + D(days=days - 1), None, None, {"durations": durs}, "Holiday"
        if kind == "specificHoursDayDurations":
            days = r.randint(1, 3)
            durs = [{"date": iso(start + D(days=k)), "startTime": "09:00", "endTime": "12:30"}
                    for k in range(days)]
            return ("specificHoursDayDurations", start, start + D(days=days - 1), None, None,
                    {"timeZone": tz, "durations": durs}, "Appointments")
        if kind == "differentSpecificHoursDayDurations":
            days = r.randint(2, 3)
            durs = [{"date": iso(start + D(days=k)), "startTime": "%02d:00" % (8 + k),
                     "endTime": "%02d:30" % (11 + k)} for k in range(days)]
            return ("differentSpecificHoursDayDurations", start, start + D(days=days - 1), None, None,
                    {"timeZone": tz, "durations": durs}, "Appointments")
        if kind == "percentageOnRange":
            return ("percentageOnRange", start, start + D(days=r.randint(2, 9)), None, None,
                    {"percentageOfDay": r.choice([20, 50, 80])}, "Parental leave")
        if kind == "openEnded":
            end = start + D(days=r.randint(20, 90)) if r.random() < 0.5 else None
            return "openEnded", start, end, "all_day", "all_day" if end else None, {"timeZone": tz}, "Parental leave"
        raise ValueError(kind)

    def make_request(self, p, kind, start, final, t0, chain=1):
        rtype, s, e, sp, ep, spec, pol = self._shape(p, kind, start)
        q = self._new_request(p, pol, rtype, s, e, sp=sp, ep=ep, spec=spec, created=t0)
        if chain <= 1:
            self._history(q, final, t0)
            return q
        # an edit chain: each edit replaces the request by a new id
        t0 = self._history(q, "approved", t0)
        first = q
        r = self.rng
        for k in range(1, chain):
            t0 = min(self.now - 1.0, t0 + r.uniform(600, 20000))
            q.status = "canceled"
            self.event(t0, "Canceled", q)
            ns = start + dt.timedelta(days=r.choice([1, 2, 7]))
            rtype, s, e, sp, ep, spec, _ = self._shape(p, kind, ns)
            n = self._new_request(p, pol, rtype, s, e, sp=sp, ep=ep, spec=spec, created=t0)
            n.previous = q.id
            n.original = first.id
            n.status = "approved"
            n.approved_at = t0
            # "Updated" for some edits (unconfirmed upstream), "Created" for others
            self.event(t0, "Updated" if n.id % 3 == 0 else "Created", n)
            q = n
        if final != "approved":
            t0 = min(self.now - 1.0, t0 + 300)
            if final == "deleted":
                q.deleted = True
                self.event(t0, "Deleted", q, q.status)
            else:
                q.status = final
                self.event(t0, "Canceled", q)
        return q

    def dst_nights(self, zone):
        """Local dates whose night has a DST change, within the sync window."""
        z = ZoneInfo(zone)
        out = []
        d = self.today - dt.timedelta(days=LOOKBACK_DAYS - 5)
        end = self.today + dt.timedelta(days=SYNC_UNTIL_DAYS - 5)
        prev = dt.datetime(d.year, d.month, d.day, 12, tzinfo=z).utcoffset()
        while d < end:
            d2 = d + dt.timedelta(days=1)
            off = dt.datetime(d2.year, d2.month, d2.day, 12, tzinfo=z).utcoffset()
            if off != prev:
                out.append(d2)  # the change happened in the night before d2 (noon to noon)
            prev = off
            d = d2
        return out

    def _make_timeoff(self):
        r = self.rng
        t = self.today
        D = dt.timedelta
        now = self.now
        kinds = [("day", 30), ("days", 18), ("morning", 6), ("afternoon", 5), ("pm_to_am", 5),
                 ("hours", 8), ("portionOnRange", 4), ("hoursOnRange", 4),
                 ("differentDayDurations", 3), ("specificHoursDayDurations", 3),
                 ("differentSpecificHoursDayDurations", 2), ("percentageOnRange", 3), ("openEnded", 3)]
        finals = [("approved", 66), ("pending", 12), ("canceled", 8), ("disapproved", 5), ("deleted", 4),
                  ("chain", 5)]
        when = [(-120, -31, 10), (-29, -1, 25), (0, 60, 40), (61, 360, 20), (370, 420, 5)]

        def t0():
            return now - r.uniform(120, 6 * 86400)

        # featured stories first (fixed, so tests can name them)
        f = self.featured
        self.stories = {}

        def story(name, key, kind, start, final="approved", chain=1):
            p = f.get(key)
            if p is None:
                return
            self.stories[name] = self.make_request(p, kind, start, final, t0(), chain)

        ams = self.dst_nights("Europe/Amsterdam")
        la = self.dst_nights("America/Los_Angeles")
        zoe = "zoe.lukasiewicz-ostergard"
        jose = "jose.nunez"
        if ams:
            story("dst_amsterdam", zoe, "days", ams[0] - D(days=1))
            p = f.get(zoe)
            if p is not None:
                q = self.stories.get("dst_amsterdam")
                if q is not None:
                    q.end = ams[0] + D(days=1)
        if len(ams) > 1:
            story("dst_amsterdam_2", zoe, "pm_to_am", ams[1] - D(days=1))
            q = self.stories.get("dst_amsterdam_2")
            if q is not None:
                q.end = ams[1]
        if la:
            story("dst_los_angeles", jose, "days", la[0] - D(days=1))
            q = self.stories.get("dst_los_angeles")
            if q is not None:
                q.end = la[0] + D(days=2)
        story("zoe_morning", zoe, "morning", t + D(days=3))
        story("zoe_afternoon", zoe, "afternoon", t + D(days=10))
        story("zoe_pending", zoe, "day", t + D(days=12), "pending")
        story("zoe_lookback", zoe, "days", t - D(days=12))
        story("zoe_old", zoe, "day", t - D(days=60))
        story("zoe_far", zoe, "day", t + D(days=400))
        story("jose_hours", jose, "hours", t + D(days=2))
        story("jose_chain", jose, "days", t + D(days=20), "approved", chain=3)
        story("jose_canceled", jose, "days", t + D(days=30), "canceled")
        story("priya_portion", "priya.raghunathan", "portionOnRange", t + D(days=5))
        story("priya_declined", "priya.raghunathan", "day", t + D(days=8), "disapproved")
        story("priya_deleted", "priya.raghunathan", "day", t + D(days=9), "deleted")
        story("lucja_open", "lucja.wisniewska", "openEnded", t - D(days=10))
        story("bjorn_parental", "bjorn.akesson", "percentageOnRange", t + D(days=4))
        story("arjun_unmatched_deleted_agent", "arjun.venkataraman", "days", t + D(days=6))
        story("siobhan_no_tz", "siobhan.nibhriain", "days", t + D(days=15))
        story("ngozi_no_agent", "ngozi.okonkwo-adeyemi", "day", t + D(days=11))
        story("ana_hoursonrange", "anabeatriz.dossantos", "hoursOnRange", t + D(days=16))
        story("ana_differentdays", "anabeatriz.dossantos", "differentDayDurations", t + D(days=25))
        story("aevar_specific", "aevar.thorsson", "specificHoursDayDurations", t + D(days=9))
        story("aevar_diffspecific", "aevar.thorsson", "differentSpecificHoursDayDurations", t + D(days=19))
        story("aevar_today", "aevar.thorsson", "day", t)
        story("aevar_chain", "aevar.thorsson", "day", t + D(days=33), "approved", chain=2)

        for p in self.people[len(self.featured):]:
            x = r.random()
            k = 0 if x < 0.3 else 1 if x < 0.6 else 2 if x < 0.8 else 3 if x < 0.92 else 4
            for _ in range(k):
                kind = kinds[self._weighted(kinds, 1)][0]
                w = when[self._weighted(when, 2)]
                start = t + D(days=r.randint(w[0], w[1]))
                fin = finals[self._weighted(finals, 1)][0]
                if fin == "chain":
                    self.make_request(p, kind, start, "approved", t0(), chain=r.choice([2, 3]))
                else:
                    self.make_request(p, kind, start, fin, t0())

    # ---- ground truth (design.md rules) ----
    def in_audience(self, p, scenario_no_inactive=False):
        if scenario_no_inactive and p.lifecycle in ("hired", "terminated"):
            return False
        return True

    def roster_truth(self, p):
        """(eligible, reason_code, reason)."""
        t = self.today
        acc = p.access
        lc = p.lifecycle
        # a start date after the termination date: rehired, that date was
        # the employment before's
        rehired = p.term is not None and p.start is not None and p.start > p.term
        left = lc == "terminated" or (p.term is not None and p.term < t and not rehired)
        if acc not in ("yes", "no") and not left:
            return False, "access_unset", "alleo_access is not set: held for a decision, never removed"
        if acc == "no":
            return False, "access_no", "alleo_access is no"
        if left:
            # termination beats a blank field: a leaver is offboarded whatever it says
            return False, "terminated", "terminated (termination date %s)" % iso(p.term)
        if lc not in ("employed", "hired", "leave", "parental leave", "garden leave"):
            # a company's own status: bobsync cannot know what it means
            return False, "lifecycle_unknown", "lifecycle status %s is unknown: held" % lc
        if p.start is not None and p.start > t:
            return False, "not_started", "start date %s not reached" % iso(p.start)
        if lc == "garden leave":
            return True, "garden_leave", "alleo_access yes, on garden leave until %s" % iso(p.term)
        if lc in ("leave", "parental leave"):
            return True, "leave", "alleo_access yes, on %s" % lc
        if p.term is not None:
            return True, "leaving", "alleo_access yes, employed until %s" % iso(p.term)
        return True, "eligible", "alleo_access yes, employed since %s" % iso(p.start)

    def timeoff_truth(self, q, agents, private_visible=False):
        """(sync, reason_code, reason, agent_id)."""
        t = self.today
        ws = t - dt.timedelta(days=LOOKBACK_DAYS)
        we = t + dt.timedelta(days=SYNC_UNTIL_DAYS)
        agent = agents.get(q.emp.id)
        aid = agent["agent_id"] if agent else None
        if q.deleted:
            return False, "deleted", "deleted in HiBob", aid
        if q.status == "pending":
            return False, "pending", "pending approval", aid
        if q.status == "canceled":
            return False, "canceled", "canceled" + (" (replaced by an edit)" if q.id in self._replaced_ids else ""), aid
        if q.status == "disapproved":
            return False, "disapproved", "declined (disapproved)", aid
        if q.status != "approved":
            return False, "status", "status %s" % q.status, aid
        p = q.emp
        if p.term is not None and (p.lifecycle == "terminated" or p.status == "Inactive") and q.start > p.term:
            return False, "left", "starts after the termination date %s" % iso(p.term), aid
        if q.type == "openEnded" and q.end is None:
            return False, "open_ended", "open-ended request without an end date", aid
        if q.type not in ("days", "hours", "openEnded") and request_parts(q) != 1:
            # one part (one date, one day with time) is one stretch of time
            return False, "chunks", "made of several chunks (%s)" % q.type, aid
        end = q.end or q.start
        if end < ws or q.start > we:
            return False, "out_of_window", "outside the sync window %s to %s" % (iso(ws), iso(we)), aid
        if agent is None:
            return False, "no_agent", "no Assembled agent matches this person", aid
        if POLICY_TYPES.get(q.policy, (0, 0, 0, False))[3] and not private_visible:
            return False, "private", "private policy %s: hidden without the permission" % q.policy, aid
        return True, "sync", "approved, contiguous, in the window, agent matched (%s)" % agent["match"], aid


    def expected(self, agents, private_visible=False):
        """The ground-truth document (see README).  private_visible: the
        service user may see private-policy requests."""
        emps = []
        summ = {"total": 0, "eligible": 0, "ineligible": 0, "unset": 0}
        for p in self.people:
            ok, code, why = self.roster_truth(p)
            acc = p.access if p.access in ("yes", "no") else "unset"
            summ["total"] += 1
            if ok:
                summ["eligible"] += 1
            elif code in ("access_unset", "lifecycle_unknown"):    # held
                summ["unset"] += 1
            else:
                summ["ineligible"] += 1
            emps.append({"id": p.id, "email": p.email, "name": p.display(), "access": acc,
                         "lifecycle": p.lifecycle, "status": p.status, "start_date": iso(p.start),
                         "termination_date": iso(p.term), "site": SITES[p.site][0],
                         "department": DEPARTMENTS[p.dept][0] if p.dept < len(DEPARTMENTS) else None,
                         "eligible": ok, "reason_code": code, "reason": why})
        reqs = []
        self._replaced_ids = {q.previous for q in self.requests if q.previous is not None}
        tsum = {"total": 0, "sync": 0, "skip": 0}
        by_reason = {}
        for q in self.requests:
            ok, code, why, aid = self.timeoff_truth(q, agents, private_visible)
            tsum["total"] += 1
            tsum["sync" if ok else "skip"] += 1
            by_reason[code] = by_reason.get(code, 0) + 1
            reqs.append({"request_id": q.id, "employee_id": q.emp.id, "email": q.emp.email,
                         "policy": q.policy, "type": q.type, "status": "deleted" if q.deleted else q.status,
                         "start_date": iso(q.start), "end_date": iso(q.end),
                         "start_portion": q.start_portion, "end_portion": q.end_portion,
                         "previous_request_id": q.previous, "original_request_id": q.original,
                         "agent_id": aid, "sync": ok, "reason_code": code, "reason": why})
        stories = {k: v.id for k, v in getattr(self, "stories", {}).items()}
        return {"today": iso(self.today), "seed": self.seed, "people": len(self.people),
                "window": {"from": iso(self.today - dt.timedelta(days=LOOKBACK_DAYS)),
                           "to": iso(self.today + dt.timedelta(days=SYNC_UNTIL_DAYS))},
                "employees": {"summary": summ, "employees": emps},
                "timeoff": {"summary": tsum, "by_reason": by_reason, "requests": reqs,
                            "stories": stories}}


def parse_date(s):
    return dt.date.fromisoformat(s)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--expected", action="store_true", help="print the ground truth as JSON")
    ap.add_argument("--people", type=int, default=320)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--today", type=parse_date, default=None)
    a = ap.parse_args(argv)
    if not a.expected:
        ap.error("nothing to do (use --expected)")
    import assembled  # the agents are part of the ground truth
    c = Company(a.people, a.seed, a.today)
    world = assembled.AssembledData(c)
    json.dump(c.expected(world.agent_map()), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
