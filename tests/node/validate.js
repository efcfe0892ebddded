#!/usr/bin/env node
// validate.js - check every answer the sandbox gave against the vendors'
// published schemas (tests/schemas), with ajv.
//
//   node tests/node/validate.js [--planted] [--quiet] [--readme FILE] LOG...
//
// LOG: sandbox answer logs (sandbox.py --answer-log; one JSON object a line:
// server, method, path, query, status, ctype, fault, body, request).  Each
// answer is mapped to its schema by server, method, path and status (ROUTES
// below); SCIM PATCH request bodies are checked against the PatchOp schema.
// Answers shaped by a fault are skipped (they are broken on purpose), the
// `plant` fault too unless --planted is given.  Properties the vendor's
// schema lacks fail, unless tests/sandbox/README.md (or --readme FILE) lists
// them in its "Observed extras" table (schema, object, property, source),
// which adds them to the schema before it is compiled.  Exit 0 when everything is valid, 1
// when something is not, 2 on a usage or set-up error.
'use strict';

const fs = require('fs');
const path = require('path');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

const ROOT = path.resolve(__dirname, '..', '..');
const SCHEMAS = path.join(ROOT, 'tests', 'schemas');
let README = path.join(ROOT, 'tests', 'sandbox', 'README.md');

// [server, method, path pattern, status test, schema, what is checked]
const ok = (s) => s >= 200 && s < 300;
const failed = (s) => s >= 400;
const ROUTES = [
  ['hibob', 'POST', /^\/v1\/people\/search$/, ok, 'hibob-people-search.json'],
  ['hibob', 'GET', /^\/v1\/timeoff\/requests\/changes$/, ok, 'hibob-timeoff-changes.json'],
  ['hibob', 'GET', /^\/v1\/timeoff\/employees\/[^/]+\/requests\/[^/]+$/, ok, 'hibob-timeoff-request.json'],
  ['hibob', 'GET', /^\/v1\/timeoff\/whosout$/, ok, 'hibob-whos-out.json'],
  ['hibob', '*', /^\/v1\//, failed, 'hibob-error.json'],
  ['scim', 'GET', /^\/scim\/v2\/Users$/, ok, 'scim-list-response.json'],
  ['scim', '*', /^\/scim\/v2\/Users\/[^/]+$/, ok, 'scim-user.json'],
  ['scim', 'POST', /^\/scim\/v2\/Users$/, ok, 'scim-user.json'],
  ['scim', 'POST', /^\/scim\/v2\/Bulk$/, ok, 'scim-bulk-response.json'],
  ['scim', '*', /^\/scim\/v2\//, failed, 'scim-error.json'],
  ['scim', 'POST', /^\/oauth\/token$/, ok, 'oauth-token.json'],
  ['scim', 'POST', /^\/oauth\/token$/, failed, 'oauth-error.json'],
];
const REQUEST_ROUTES = [
  ['scim', 'PATCH', /^\/scim\/v2\/Users\/[^/]+$/, 'scim-patch-op.json'],
];

function usage(msg) {
  process.stderr.write(`validate.js: ${msg}\nusage: node validate.js [--planted] [--quiet] [--readme FILE] LOG...\n`);
  process.exit(2);
}

// The "Observed extras" table of tests/sandbox/README.md:
// | schema | object | property | source |, object a $defs name or (root).
function observedExtras(text) {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^\|\s*schema\s*\|\s*object\s*\|\s*property\s*\|\s*source\s*\|/.test(l));
  if (start < 0) return [];
  const rows = [];
  for (let i = start + 2; i < lines.length && lines[i].startsWith('|'); i++) {
    const cells = lines[i].split('|').slice(1, -1).map((c) => c.trim().replace(/^`|`$/g, ''));
    if (cells.length !== 4 || !cells[0] || !cells[2])
      throw new Error(`README.md line ${i + 1}: an observed extra needs schema, object, property and source`);
    if (!cells[3]) throw new Error(`README.md line ${i + 1}: observed extra ${cells[2]} has no source`);
    rows.push({ schema: cells[0], object: cells[1], property: cells[2], source: cells[3] });
  }
  return rows;
}

function loadSchemas() {
  const schemas = {};
  for (const f of fs.readdirSync(SCHEMAS).filter((n) => n.endsWith('.json')).sort())
    schemas[f] = JSON.parse(fs.readFileSync(path.join(SCHEMAS, f), 'utf8'));
  for (const x of observedExtras(fs.readFileSync(README, 'utf8'))) {
    const s = schemas[x.schema];
    if (!s) throw new Error(`observed extra ${x.property}: no schema ${x.schema}`);
    const obj = x.object === '' || x.object === '(root)' ? s : (s.$defs || {})[x.object];
    if (!obj || typeof obj !== 'object')
      throw new Error(`observed extra ${x.property}: ${x.schema} has no $defs/${x.object}`);
    obj.properties = obj.properties || {};
    if (!(x.property in obj.properties)) obj.properties[x.property] = true;
  }
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv);
  for (const [f, s] of Object.entries(schemas)) ajv.addSchema(s, f);
  const compiled = {};
  for (const f of Object.keys(schemas)) compiled[f] = ajv.getSchema(f);
  return compiled;
}

function route(table, e, withStatus) {
  for (const r of table) {
    if (r[0] !== e.server || (r[1] !== '*' && r[1] !== e.method) || !r[2].test(e.path)) continue;
    if (withStatus && !r[3](e.status)) continue;
    return withStatus ? r[4] : r[3];
  }
  return null;
}

function describe(err) {
  let s = `${err.instancePath || '(top)'} ${err.message}`;
  if (err.params && err.params.additionalProperty) s += `: ${err.params.additionalProperty}`;
  if (err.params && err.params.allowedValues) s += ` (${err.params.allowedValues.join(', ')})`;
  return s;
}

function main(argv) {
  const logs = [];
  let planted = false;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--planted') planted = true;
    else if (a === '--readme' && i + 1 < argv.length) README = argv[++i];
    else if (a === '--quiet') quiet = true;
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else logs.push(a);
  }
  if (!logs.length) usage('no answer log given');
  let validators;
  try {
    validators = loadSchemas();
  } catch (e) {
    process.stderr.write(`validate.js: ${e.message}\n`);
    return 2;
  }
  const counts = {};
  const uncovered = {};
  const problems = new Map();
  let checked = 0;
  let skipped = 0;
  const check = (schema, text, where) => {
    let doc;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      problems.set(`${where}: not JSON for ${schema}: ${e.message}`, 1);
      return;
    }
    checked++;
    counts[schema] = (counts[schema] || 0) + 1;
    const v = validators[schema];
    if (!v(doc)) {
      // the same problem in many answers or list items is reported once, counted
      for (const err of v.errors) {
        const d = `${where}: ${schema}: ${describe(err).replace(/\/[0-9]+(?=\/|\s|$)/g, '/*')}`;
        problems.set(d, (problems.get(d) || 0) + 1);
      }
    }
  };
  for (const log of logs) {
    let text;
    try {
      text = fs.readFileSync(log, 'utf8');
    } catch (e) {
      if (e.code === 'ENOENT') continue;	// that sandbox never started
      throw e;
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const e = JSON.parse(line);
      if (e.fault && !(planted && e.fault === 'plant')) {
        skipped++;
        continue;
      }
      const where = `${e.server} ${e.method} ${e.path.replace(/\/(?!v[0-9]+(?:\/|$))[^/]*[0-9@%][^/]*/g, '/{id}')} ${e.status}`;
      const schema = route(ROUTES, e, true);
      if (schema && e.body) check(schema, e.body, where);
      else if (!schema) {
        const k = `${e.server} ${e.method} ${e.path.replace(/\/(?!v[0-9]+(?:\/|$))[^/]*[0-9@%][^/]*/g, '/{id}')} ${e.status}`;
        uncovered[k] = (uncovered[k] || 0) + 1;
      }
      const rschema = route(REQUEST_ROUTES, e, false);
      if (rschema && e.request) check(rschema, e.request, `${where} (request body)`);
    }
  }
  if (!quiet || problems.size) {
    const per = Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ');
    process.stdout.write(`validate.js: ${checked} bodies checked (${per || 'none'}); ${skipped} shaped by faults skipped; ` +
      `${Object.values(uncovered).reduce((a, b) => a + b, 0)} answers of routes without a vendor schema\n`);
  }
  if (problems.size) {
    const all = [...problems.entries()];
    for (const [p, n] of all.slice(0, 30)) process.stdout.write(`INVALID ${p}${n > 1 ? ` (${n} times)` : ''}\n`);
    if (all.length > 30) process.stdout.write(`... and ${all.length - 30} more kinds\n`);
    return 1;
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
