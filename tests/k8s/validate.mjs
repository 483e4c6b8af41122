// Offline validation of the Kubernetes manifests in deploy/kubernetes (run by tests/k8s/run.sh).
//
// Usage: node validate.mjs REPO [DIR]   (DIR defaults to REPO/deploy/kubernetes)
// run.sh runs it from the npm cache folder, beside its node_modules, so REPO is an argument.
//
// Every YAML document under DIR is parsed as Kubernetes parses it (YAML 1.1, duplicate keys are
// errors) and checked against the schema of its apiVersion and kind: the Kubernetes OpenAPI
// schema from npm's kubernetes-models, the prometheus-operator CRD schemas from
// @kubernetes-models/prometheus-operator. A kind neither knows fails. Like `kubectl apply
// --validate=strict`, a field the schema does not know fails too (see strictly()).
// Then the examples are checked for what no schema sees, within each folder: selectors that
// select nothing, ports, Secrets, ConfigMaps and volumes named but not defined, Probe targets
// that warren's allow list would refuse, and the PrometheusRule against alerts/.
// Prints one line per document (and one per problem below it), then "N passed, N failed".
import fs from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import YAML from "yaml";

if (process.argv.length < 3 || process.argv.length > 4) {
  console.error("usage: node validate.mjs REPO [DIR]");
  process.exit(2);
}
const ROOT = path.resolve(process.argv[2]);
const DIR = path.resolve(process.argv[3] ?? path.join(ROOT, "deploy/kubernetes"));
// The sources of the generated PrometheusRule: the same list as scripts/gen-prometheus-rule.
const RULE_SOURCES = ["alerts/thresholds.rules.yml", "alerts/rabbitmq.rules.yml"];
const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]);

function packageFor(apiVersion) {
  if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion)) return null;
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  if (group === "monitoring.coreos.com") return "@kubernetes-models/prometheus-operator";
  if (group === "" || group === "apps" || group === "batch" || group === "policy" || group === "autoscaling" ||
      group.endsWith(".k8s.io")) return "kubernetes-models";
  return null;
}

async function modelFor(apiVersion, kind) {
  const pkg = typeof apiVersion === "string" && packageFor(apiVersion);
  if (!pkg || typeof kind !== "string") return null;
  let mod;
  try {
    mod = await import(`${pkg}/${apiVersion}`);
  } catch (e) {
    if (e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || e.code === "ERR_MODULE_NOT_FOUND") return null;
    throw e;
  }
  const model = Object.hasOwn(mod, kind) ? mod[kind] : undefined;
  return model && model.apiVersion === apiVersion && model.kind === kind ? model : null;
}

// The schemas come as compiled ajv code, which (like the OpenAPI schema itself) lets unknown
// fields through. So the document is validated through proxies that record which keys the code
// reads: an object whose keys it lists is a map (labels, data, limits) and whose keys it never
// reads has no declared fields (free-form); in any other object, a key it never read is unknown.
function strictly(value, at, objects) {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v, i) => strictly(v, `${at}/${i}`, objects));
  const seen = { at, keys: Object.keys(value), read: new Set(), listed: false };
  objects.push(seen);
  const copy = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strictly(v, `${at}/${k}`, objects)]));
  const note = (k) => typeof k === "string" && seen.read.add(k);
  return new Proxy(copy, {
    get: (t, k, r) => (note(k), Reflect.get(t, k, r)),
    has: (t, k) => (note(k), Reflect.has(t, k)),
    getOwnPropertyDescriptor: (t, k) => (note(k), Reflect.getOwnPropertyDescriptor(t, k)),
    ownKeys: (t) => ((seen.listed = true), Reflect.ownKeys(t)),
  });
}

function schemaErrors(model, doc) {
  const objects = [];
  const errors = [];
  try {
    model.prototype.validate.call(strictly(doc, "", objects));
  } catch (e) {
    errors.push(e.message ?? String(e));
  }
  for (const o of objects) {
    if (o.listed || o.read.size === 0) continue;
    for (const k of o.keys) if (!o.read.has(k)) errors.push(`data${o.at}/${k} is not a field of the schema`);
  }
  return errors;
}

function readDocuments(dir) {
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name)) files.push(p);
    }
  };
  walk(dir);
  const docs = [];
  for (const file of files) {
    const rel = path.relative(dir, file);
    const parsed = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"), { version: "1.1", uniqueKeys: true });
    if (parsed.length === 0) docs.push({ file: rel, index: 0, where: rel, value: null, problems: ["no YAML document"] });
    parsed.forEach((d, i) => {
      const problems = [...d.errors, ...d.warnings].map((e) => e.message.split("\n")[0]);
      const value = problems.length ? null : d.toJS({ maxAliasCount: 100 });
      if (value === null && !problems.length) return; // an empty document, e.g. after a final ---
      docs.push({ file: rel, index: i, where: `${rel}#${i + 1}`, value, problems });
    });
  }
  return docs;
}

const selects = (selector, labels) =>
  !!selector?.matchLabels && Object.entries(selector.matchLabels).every(([k, v]) => labels?.[k] === v);
const podSpecs = (docs) => docs.filter((d) => WORKLOADS.has(d.value?.kind)).map((d) => d.value.spec?.template ?? {});
const containersOf = (spec) => [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
const portNames = (tpl) => new Set(containersOf(tpl.spec).flatMap((c) => (c.ports ?? []).map((p) => p.name)));

// Problems no schema sees, for the documents of one folder (each example stands alone).
function crossCheck(docs) {
  const byKind = (kind) => docs.filter((d) => d.value?.kind === kind);
  const named = (kind, name) => byKind(kind).find((d) => d.value.metadata?.name === name)?.value;
  const dataKeys = (o) => new Set([...Object.keys(o?.data ?? {}), ...Object.keys(o?.stringData ?? {})]);
  const templates = podSpecs(docs);
  for (const d of docs) {
    const v = d.value;
    if (!v) continue;
    const problem = (m) => d.problems.push(m);
    if (WORKLOADS.has(v.kind)) {
      const tpl = v.spec?.template ?? {};
      if (!selects(v.spec?.selector, tpl.metadata?.labels)) problem("spec.selector.matchLabels do not select the pod template");
      const volumes = new Map((tpl.spec?.volumes ?? []).map((vol) => [vol.name, vol]));
      for (const claim of v.spec?.volumeClaimTemplates ?? []) volumes.set(claim.metadata?.name, {});
      for (const vol of volumes.values()) {
        const ref = vol.secret ? ["Secret", vol.secret.secretName, vol.secret.items] :
          vol.configMap ? ["ConfigMap", vol.configMap.name, vol.configMap.items] : null;
        if (!ref) continue;
        const obj = named(ref[0], ref[1]);
        if (!obj) problem(`volume ${vol.name}: ${ref[0]} ${ref[1]} is not defined in this folder`);
        for (const item of ref[2] ?? []) if (obj && !dataKeys(obj).has(item.key)) problem(`volume ${vol.name}: ${ref[0]} ${ref[1]} has no key ${item.key}`);
      }
      for (const c of containersOf(tpl.spec)) {
        for (const m of c.volumeMounts ?? []) if (!volumes.has(m.name)) problem(`container ${c.name}: volume ${m.name} is not defined`);
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef ? ["Secret", e.valueFrom.secretKeyRef] :
            e.valueFrom?.configMapKeyRef ? ["ConfigMap", e.valueFrom.configMapKeyRef] : null;
          if (ref && !dataKeys(named(ref[0], ref[1].name)).has(ref[1].key)) problem(`container ${c.name}: env ${e.name}: ${ref[0]} ${ref[1].name} with key ${ref[1].key} is not defined in this folder`);
        }
        for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
          const port = c[probe]?.httpGet?.port ?? c[probe]?.tcpSocket?.port;
          if (typeof port === "string" && !(c.ports ?? []).some((p) => p.name === port)) problem(`container ${c.name}: ${probe} port ${port} is not a port of the container`);
        }
      }
    }
    if (v.kind === "Service" && v.spec?.selector) {
      const pods = templates.filter((t) => selects({ matchLabels: v.spec.selector }, t.metadata?.labels));
      if (!pods.length) problem("spec.selector selects no pod template in this folder");
      for (const p of v.spec.ports ?? []) {
        if (typeof p.targetPort === "string" && !pods.some((t) => portNames(t).has(p.targetPort))) problem(`port ${p.name}: targetPort ${p.targetPort} is no container port of the selected pods`);
      }
    }
    if (v.kind === "ServiceMonitor") {
      const services = byKind("Service").map((s) => s.value).filter((s) => selects(v.spec?.selector, s.metadata?.labels));
      if (!services.length) problem("spec.selector selects no Service in this folder");
      for (const e of v.spec?.endpoints ?? []) {
        if (e.port && !services.some((s) => (s.spec?.ports ?? []).some((p) => p.name === e.port))) problem(`endpoint port ${e.port} is no port of the selected Services`);
      }
    }
    if (v.kind === "PodMonitor") {
      const pods = templates.filter((t) => selects(v.spec?.selector, t.metadata?.labels));
      if (!pods.length) problem("spec.selector selects no pod template in this folder");
      for (const e of v.spec?.podMetricsEndpoints ?? []) {
        if (e.port && !pods.some((t) => portNames(t).has(e.port))) problem(`endpoint port ${e.port} is no container port of the selected pods`);
      }
    }
    if (v.kind === "Probe") checkProbe(v, byKind("ConfigMap").map((c) => c.value), problem);
    if (v.kind === "PrometheusRule" && v.metadata?.name === "warren-rabbitmq") {
      const groups = RULE_SOURCES.flatMap((f) => YAML.parse(fs.readFileSync(path.join(ROOT, f), "utf8"), { version: "1.1" }).groups);
      if (!isDeepStrictEqual(v.spec?.groups, groups)) problem(`spec.groups differ from ${RULE_SOURCES.join(" + ")}: run scripts/gen-prometheus-rule`);
    }
  }
}

// A Probe's module and targets against warren's config file in this folder: the targets must fully
// match one of the module's patterns (RE2 there; the simple patterns here read the same in JS).
function checkProbe(probe, configMaps, problem) {
  const configs = configMaps.flatMap((c) => Object.entries(c.data ?? {}).filter(([k]) => k === "warren.yml").map(([, text]) => YAML.parse(text)));
  if (configs.length !== 1) return problem(`expected one ConfigMap with warren.yml in this folder, found ${configs.length}`);
  const config = configs[0];
  const module = probe.spec?.module;
  if (!module || !Object.hasOwn(config.modules ?? {}, module)) problem(`module ${module} is not a module of warren.yml`);
  const allow = (config.modules?.[module]?.targets ?? []).map((re) => new RegExp(`^(?:${re})$`));
  for (const target of probe.spec?.targets?.staticConfig?.static ?? []) {
    if (!allow.some((re) => re.test(target))) problem(`target ${target} matches no targets of module ${module} in warren.yml`);
  }
}

if (!fs.statSync(DIR, { throwIfNoEntry: false })?.isDirectory()) {
  console.error(`validate: ${DIR} is not a directory`);
  process.exit(2);
}
const docs = readDocuments(DIR);
if (!docs.length) {
  console.error(`validate: no YAML document under ${DIR}`);
  process.exit(2);
}
for (const d of docs) {
  if (!d.value) continue;
  const { apiVersion, kind, metadata } = d.value;
  const model = await modelFor(apiVersion, kind);
  if (!model) d.problems.push(`no schema for apiVersion ${apiVersion} kind ${kind}`);
  else d.problems.push(...schemaErrors(model, d.value));
  if (typeof metadata?.name !== "string" || !metadata.name) d.problems.push("metadata.name is missing");
}
const folders = new Map();
for (const d of docs) folders.set(path.dirname(d.file), [...(folders.get(path.dirname(d.file)) ?? []), d]);
for (const group of folders.values()) crossCheck(group);

let failed = 0;
for (const d of docs) {
  const v = d.value ?? {};
  console.log(`${d.problems.length ? "FAIL" : "ok  "}  ${d.where}  ${v.apiVersion ?? "?"} ${v.kind ?? "?"} ${v.metadata?.name ?? "?"}`);
  for (const p of d.problems) console.log(`        ${p}`);
  if (d.problems.length) failed++;
}
console.log(`k8s manifests: ${docs.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
