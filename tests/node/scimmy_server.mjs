// scimmy_server.mjs - a third-party SCIM 2.0 service for the e2e tests.
//
//   node tests/node/scimmy_server.mjs --state-file F [--lifetime SECONDS]
//
// SCIMMY (RFC 7643/7644, its own schema validation) served by
// scimmy-routers on Express, with in-memory users, bearer auth and a small
// OAuth2 client-credentials token endpoint in front.  Only the core User
// schema is declared (Alleo publishes no extension), and SCIMMY decides
// what is valid: nothing here bends its answers to suit bobsync.  The only
// checks of our own are the ones a store has to make (userName and
// externalId unique, 409 uniqueness) and the token.
//
// Listens on 127.0.0.1, port 0; when it listens, the state file gets
// {"scim": {"url", "token_url", "client_id", "client_secret"}, "pid",
//  "control"} atomically.  Exits after --lifetime seconds (default 900)
// or on SIGTERM.
//
// Control (no auth, not SCIM): GET /_control/users (every stored user),
// GET /_control/requests ({method, path, status} of each SCIM and token
// call), DELETE /_control/requests.
import crypto from "node:crypto";
import fs from "node:fs";
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const stateFile = opt("--state-file", null);
const lifetime = Number(opt("--lifetime", "900"));
if (!stateFile) {
    process.stderr.write("usage: scimmy_server.mjs --state-file F [--lifetime SECONDS]\n");
    process.exit(2);
}

const clientId = "scimmy-client-" + crypto.randomBytes(4).toString("hex");
const clientSecret = crypto.randomBytes(18).toString("base64url") + "+/:";
const tokens = new Map();          // token -> expiry (ms)
const users = new Map();           // id -> stored user (plain JSON)
const log = [];

// ---- SCIMMY: the core User schema only, and what the service supports
// (scimmy-routers, mounted below, sets bulk back to supported with SCIMMY's
// defaults, maxOperations 1000 and maxPayloadSize 1 MiB, and serves /Bulk)
SCIMMY.Config.set({patch: true, filter: 200, sort: false, changePassword: false, etag: false,
    bulk: false});

const conflict = (what, value) => {
    throw new SCIMMY.Types.Error(409, "uniqueness", `${what} ${value} is already taken`);
};

SCIMMY.Resources.declare(SCIMMY.Resources.User)
    .egress((resource) => {
        if (resource.id) {
            const u = users.get(resource.id);
            if (!u) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
            return structuredClone(u);
        }
        const all = [...users.values()].map((u) => structuredClone(u));
        return resource.filter ? resource.filter.match(all) : all;
    })
    .ingress((resource, instance) => {
        const data = JSON.parse(JSON.stringify(instance));
        const now = new Date().toISOString();
        const id = resource.id ?? crypto.randomUUID();
        const had = resource.id ? users.get(resource.id) : undefined;
        if (resource.id && !had) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
        for (const u of users.values()) {
            if (u.id === id) continue;
            if (String(u.userName).toLowerCase() === String(data.userName).toLowerCase())
                conflict("userName", data.userName);
            if (data.externalId && u.externalId === data.externalId)
                conflict("externalId", data.externalId);
        }
        delete data.schemas;
        const stored = {...data, id, meta: {resourceType: "User",
            created: had ? had.meta.created : now, lastModified: now}};
        users.set(id, stored);
        return structuredClone(stored);
    })
    .degress((resource) => {
        if (!users.delete(resource.id))
            throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
    });

// ---- Express
const app = express();
app.use((req, res, next) => {
    // the path as asked: a mounted router (/scim/v2) strips its prefix from
    // req.path until it is done, which is after "finish"
    const path = req.path;
    res.on("finish", () => {
        if (!path.startsWith("/_control"))
            log.push({method: req.method, path, query: req.originalUrl.split("?")[1] ?? "",
                status: res.statusCode});
    });
    next();
});

// RFC 6749 2.3.1: client credentials form-urlencoded inside Basic, or in
// the form body
const formDecode = (s) => decodeURIComponent(String(s).replace(/\+/g, " "));
app.post("/oauth/token", express.urlencoded({extended: false}), (req, res) => {
    let id = req.body?.client_id, secret = req.body?.client_secret;
    const h = req.get("Authorization") ?? "";
    if (/^basic /i.test(h)) {
        const raw = Buffer.from(h.slice(6).trim(), "base64").toString("utf8");
        const at = raw.indexOf(":");
        if (at < 0) return res.status(401).json({error: "invalid_client"});
        try {
            id = formDecode(raw.slice(0, at));
            secret = formDecode(raw.slice(at + 1));
        } catch {
            return res.status(401).json({error: "invalid_client"});
        }
    }
    if (req.body?.grant_type !== "client_credentials")
        return res.status(400).json({error: "unsupported_grant_type"});
    if (id !== clientId || secret !== clientSecret)
        return res.status(401).set("WWW-Authenticate", 'Basic realm="scimmy"').json({error: "invalid_client"});
    const token = crypto.randomBytes(24).toString("base64url");
    tokens.set(token, Date.now() + 3600 * 1000);
    res.set("Cache-Control", "no-store").json({access_token: token, token_type: "Bearer", expires_in: 3600});
});

app.get("/_control/users", (req, res) => res.json({users: [...users.values()], count: users.size}));
app.get("/_control/requests", (req, res) => res.json({requests: log, count: log.length}));
app.delete("/_control/requests", (req, res) => {
    const n = log.length;
    log.splice(0);
    res.json({cleared: n});
});

app.use("/scim/v2", new SCIMMYRouters({
    type: "bearer",
    handler: (req) => {
        const h = req.get("Authorization") ?? "";
        const exp = /^bearer /i.test(h) ? tokens.get(h.slice(7).trim()) : undefined;
        if (!exp || exp < Date.now()) throw new Error("missing, unknown or expired token");
        return "bobsync";
    },
}));

const server = app.listen(0, "127.0.0.1", () => {
    const port = server.address().port;
    const base = `http://127.0.0.1:${port}`;
    const state = {scim: {url: `${base}/scim/v2`, token_url: `${base}/oauth/token`,
        client_id: clientId, client_secret: clientSecret}, pid: process.pid, control: base};
    const tmp = `${stateFile}.tmp.${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(state), {mode: 0o600});
    fs.renameSync(tmp, stateFile);
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
setTimeout(() => process.exit(0), lifetime * 1000).unref();
