// SPDX-License-Identifier: Apache-2.0
// The Kubernetes manifests (data/kubernetes/), rendered offline by `kubectl kustomize`: every
// kustomization there and the helm post-renderer; each object validated against the Kubernetes
// schema (kubernetes-models) and refused when it holds a field the schema does not know (the
// models let those through: a misspelt readOnlyRootFilesystem would pass unseen); then what the
// DaemonSet must be (host network, /sys read-only, the socket's directory, no capability,
// 65534, read-only root, resources, the probes through the socket, the DPU-host node selector,
// K8S_NODE_IP), the ovnkube INI file read by dpu-gatewayctl's own parser with the Helm keys'
// values, and the ovnkube-node patch.  TAP.
// Usage: node test-manifests.mjs SRCDIR CTL MOCK_SYSFS   (run by tests/test-manifests.sh)
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseAllDocuments, parse as parseYaml } from "yaml";

const [src, ctl, mockSysfs] = process.argv.slice(2);
const kdir = join(src, "data", "kubernetes");
const SOCKET = "/run/dpu-gateway/bus";
const ADDRESS = `unix:path=${SOCKET}`;

let n = 0;
let failed = 0;
function check(name, problems) {
  n++;
  if (problems.length === 0) {
    console.log(`ok ${n} - ${name}`);
  } else {
    failed++;
    console.log(`not ok ${n} - ${name}`);
    for (const p of problems) console.log(`# ${p}`);
  }
}

function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { encoding: "utf8", input, maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function parseObjects(text, what) {
  const objects = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`${what}: ${doc.errors[0].message}`);
    const o = doc.toJS();
    if (o !== null) objects.push(o);
  }
  return objects;
}

// --- the schema ---------------------------------------------------------------------------

async function modelOf(obj) {
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
  const mod = await import(group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`).catch(() => null);
  return mod ? mod[obj.kind] : undefined;
}

function schemaErrors(Model, obj) {
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    if (!Array.isArray(e.errors)) throw e;
    return e.errors;
  }
}

const pointer = (path) => path.map((k) => "/" + String(k).replace(/~/g, "~0").replace(/\//g, "~1")).join("");

// Fields the schema does not know.  The models' validators check the fields they know and pass
// over the others, so each field in turn is given a value no schema type accepts (a symbol):
// a known field then fails validation at its own path; an unknown one does not.
function unknownFields(Model, obj) {
  const probe = Symbol("probe");
  const unknown = [];
  const walk = (value, path) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, [...path, i]));
    } else if (value !== null && typeof value === "object") {
      for (const key of Object.keys(value)) {
        const copy = structuredClone(obj);
        let parent = copy;
        for (const k of path) parent = parent[k];
        parent[key] = probe;
        const at = pointer([...path, key]);
        const seen = schemaErrors(Model, copy).some((e) => e.instancePath === at || e.instancePath.startsWith(at + "/"));
        if (!seen) unknown.push(at);
        else walk(value[key], [...path, key]);
      }
    }
  };
  walk(obj, []);
  return unknown;
}

// --- the renders --------------------------------------------------------------------------

function kustomizations(dir) {
  const found = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) found.push(...kustomizations(p));
    else if (e === "kustomization.yaml") found.push(dir);
  }
  return found.sort();
}

const renders = new Map(); // name -> objects
for (const dir of kustomizations(kdir)) {
  const rel = relative(kdir, dir);
  const isComponent = parseYaml(readFileSync(join(dir, "kustomization.yaml"), "utf8")).kind === "Component";
  if (isComponent) continue; // rendered through the overlays that include it
  try {
    renders.set(rel, parseObjects(run("kubectl", ["kustomize", dir]), rel));
    check(`kubectl kustomize data/kubernetes/${rel}`, []);
  } catch (e) {
    check(`kubectl kustomize data/kubernetes/${rel}`, [e.message]);
  }
}
check("the renders: base, overlays/example, ovnkube-node",
  ["base", "overlays/example", "ovnkube-node"].filter((r) => !renders.get(r)?.length).map((r) => `no objects from ${r}`));

// The helm post-renderer on the stand-in of the chart's DaemonSet: the same as the kustomization.
{
  const problems = [];
  try {
    const stand_in = readFileSync(join(kdir, "ovnkube-node", "example-ovnkube-node-dpu-host.yaml"), "utf8");
    const out = parseObjects(run(join(kdir, "ovnkube-node", "post-render"), [], stand_in), "post-render");
    renders.set("ovnkube-node/post-render", out);
    if (JSON.stringify(out) !== JSON.stringify(renders.get("ovnkube-node")))
      problems.push("post-render's output differs from kubectl kustomize data/kubernetes/ovnkube-node");
  } catch (e) {
    problems.push(e.message);
  }
  check("ovnkube-node/post-render patches what helm renders as the kustomization does", problems);
}

// --- every object: the schema, and no field it does not know ------------------------------

for (const [render, objects] of renders) {
  for (const obj of objects) {
    const what = `${render}: ${obj.kind} ${obj.metadata?.name}`;
    const Model = await modelOf(obj);
    if (!Model) {
      check(`${what}: a Kubernetes kind`, [`no model for ${obj.apiVersion} ${obj.kind}`]);
      continue;
    }
    check(`${what}: valid against the Kubernetes schema`,
      schemaErrors(Model, obj).map((e) => `${e.instancePath} ${e.message}`));
    check(`${what}: no field the schema does not know`,
      unknownFields(Model, obj).map((p) => `unknown field ${p}`));
  }
}

// The check above catches what the models let through: a misspelt field in a valid object.
{
  const ds = renders.get("overlays/example")?.find((o) => o.kind === "DaemonSet");
  const problems = [];
  if (!ds) problems.push("no DaemonSet to try it on");
  else {
    const bad = structuredClone(ds);
    bad.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true;
    const Model = await modelOf(bad);
    if (schemaErrors(Model, bad).length) problems.push("kubernetes-models refused the misspelt field itself");
    const found = unknownFields(Model, bad);
    const want = "/spec/template/spec/containers/0/securityContext/readOnlyRootFileSystem";
    if (found.length !== 1 || found[0] !== want) problems.push(`found ${JSON.stringify(found)}, want ["${want}"]`);
  }
  check("a field the schema does not know is found (readOnlyRootFileSystem)", problems);
}

// --- the DaemonSet ------------------------------------------------------------------------

const cpu = (q) => (String(q).endsWith("m") ? parseFloat(q) / 1000 : parseFloat(q));
const MI = { Ki: 1 / 1024, Mi: 1, Gi: 1024 };
const mem = (q) => {
  const m = /^([0-9.]+)(Ki|Mi|Gi)?$/.exec(String(q));
  return m ? parseFloat(m[1]) * (m[2] ? MI[m[2]] : 1 / (1 << 20)) : NaN;
};

// What a container runs as: its own securityContext over the pod's.
function effective(pod, c) {
  return { ...(pod.securityContext ?? {}), ...(c.securityContext ?? {}) };
}

function unprivileged(pod, c, problems, capsAllowed = []) {
  const sc = effective(pod, c);
  if (sc.runAsNonRoot !== true) problems.push(`${c.name}: runAsNonRoot is not true`);
  if (sc.runAsUser !== 65534) problems.push(`${c.name}: runAsUser ${sc.runAsUser}, not 65534`);
  if (sc.readOnlyRootFilesystem !== true) problems.push(`${c.name}: readOnlyRootFilesystem is not true`);
  if (sc.allowPrivilegeEscalation !== false) problems.push(`${c.name}: allowPrivilegeEscalation is not false`);
  if (sc.privileged === true) problems.push(`${c.name}: privileged`);
  if (!(sc.capabilities?.drop ?? []).includes("ALL")) problems.push(`${c.name}: capabilities not dropped (ALL)`);
  const add = sc.capabilities?.add ?? [];
  if (JSON.stringify(add) !== JSON.stringify(capsAllowed)) problems.push(`${c.name}: capabilities added: ${JSON.stringify(add)}`);
}

function mountOf(pod, c, mountPath) {
  const m = (c.volumeMounts ?? []).find((v) => v.mountPath === mountPath);
  return m ? { mount: m, volume: (pod.volumes ?? []).find((v) => v.name === m.name) } : {};
}

const ctlAsked = (cmd) => Array.isArray(cmd) && cmd.some((a) => /(^|\/)dpu-gatewayctl$/.test(a)) && cmd.includes(`--address=${ADDRESS}`);

for (const render of ["base", "overlays/example"]) {
  const objects = renders.get(render) ?? [];
  const ds = objects.find((o) => o.kind === "DaemonSet" && o.metadata.name === "dpu-gateway");
  if (!ds) {
    check(`${render}: the DaemonSet dpu-gateway`, ["missing"]);
    continue;
  }
  const pod = ds.spec.template.spec;
  const c = pod.containers.find((x) => x.name === "dpu-gateway");
  const p = [];

  // Where it runs.
  if (pod.hostNetwork !== true) p.push("hostNetwork is not true");
  if (pod.hostPID !== true) p.push("hostPID is not true (peers in other PID namespaces are refused)");
  if (JSON.stringify(pod.nodeSelector) !== JSON.stringify({ "k8s.ovn.org/dpu-host": "" }))
    p.push(`nodeSelector ${JSON.stringify(pod.nodeSelector)}`);
  if (pod.automountServiceAccountToken !== false) p.push("a service account token is mounted");
  check(`${render}: the DaemonSet runs on DPU hosts (k8s.ovn.org/dpu-host), in the host's network`, p.splice(0));

  // As what.
  if (!c) p.push("no container dpu-gateway");
  else unprivileged(pod, c, p);
  for (const i of pod.initContainers ?? []) {
    if (i.name === "socket-directory") {
      // Root with CAP_CHOWN alone, to give the hostPath directory to 65534.
      const sc = effective(pod, i);
      if (JSON.stringify(i.command) !== JSON.stringify(["/bin/chown", "65534:65534", "/run/dpu-gateway"]))
        p.push(`socket-directory runs ${JSON.stringify(i.command)}`);
      if (sc.readOnlyRootFilesystem !== true || sc.allowPrivilegeEscalation !== false || sc.privileged === true)
        p.push("socket-directory: a writable root, privilege escalation or privileged");
      if (!(sc.capabilities?.drop ?? []).includes("ALL") || JSON.stringify(sc.capabilities?.add) !== '["CHOWN"]')
        p.push(`socket-directory: capabilities ${JSON.stringify(sc.capabilities)}, not CHOWN alone`);
    } else unprivileged(pod, i, p);
  }
  check(`${render}: dpu-gatewayd runs as 65534, non-root, read-only root, no capability, no escalation`, p.splice(0));

  if (!c) continue;
  // Its mounts.
  const sys = mountOf(pod, c, "/sys");
  if (sys.volume?.hostPath?.path !== "/sys" || sys.mount?.readOnly !== true) p.push(`/sys: ${JSON.stringify(sys)}`);
  const run = mountOf(pod, c, "/run/dpu-gateway");
  if (run.volume?.hostPath?.path !== "/run/dpu-gateway" || run.mount?.readOnly) p.push(`/run/dpu-gateway: ${JSON.stringify(run)}`);
  const sd = (pod.initContainers ?? []).find((i) => i.name === "socket-directory");
  if (!sd || mountOf(pod, sd, "/run/dpu-gateway").volume?.name !== run.volume?.name)
    p.push("the socket's directory is not handed to 65534 before the daemon starts");
  if ((c.volumeMounts ?? []).some((m) => !m.readOnly && m.mountPath !== "/run/dpu-gateway"))
    p.push("a writable mount other than the socket's directory");
  check(`${render}: /sys read-only from the host, /run/dpu-gateway from the host for the socket`, p.splice(0));

  // Its configuration: --config-file names the key of the rendered ConfigMap it mounts.
  const cf = (c.args ?? []).find((a) => a.startsWith("--config-file="))?.slice("--config-file=".length);
  const cfm = cf && (c.volumeMounts ?? []).find((m) => cf.startsWith(m.mountPath + "/"));
  const cfv = cfm && pod.volumes.find((v) => v.name === cfm.name);
  const cm = cfv?.configMap && objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === cfv.configMap.name);
  const key = cfm && cf.slice(cfm.mountPath.length + 1);
  if (!cm || !cm.data?.[key]) p.push(`--config-file=${cf}: no rendered ConfigMap holds it (${JSON.stringify(cfv)})`);
  else if (!cfm.readOnly) p.push("the configuration is mounted writable");
  check(`${render}: --config-file=${cf}, the ConfigMap ${cm?.metadata?.name ?? "?"} mounted read-only`, p.splice(0));
  if (cm?.data?.[key]) ds.ovnkubeConf = cm.data[key];

  // The node's IP for the node-IP rule.
  const ip = (c.env ?? []).find((e) => e.name === "K8S_NODE_IP");
  if (ip?.valueFrom?.fieldRef?.fieldPath !== "status.hostIP") p.push(`K8S_NODE_IP: ${JSON.stringify(ip)}`);
  check(`${render}: K8S_NODE_IP from the downward API (status.hostIP)`, p.splice(0));

  // The probes ask the daemon through the socket, at the path its image listens on.
  const image = readFileSync(join(src, "data", "image", "build-image"), "utf8");
  if (!image.includes(`"--listen=${ADDRESS}"`)) p.push(`data/image/build-image's entry point does not listen on ${ADDRESS}`);
  for (const probe of ["livenessProbe", "readinessProbe"]) {
    const cmd = c[probe]?.exec?.command;
    if (!ctlAsked(cmd) || !cmd.includes("status")) p.push(`${probe}: ${JSON.stringify(c[probe])}`);
    if (!(c[probe]?.timeoutSeconds >= 5)) p.push(`${probe}: timeoutSeconds ${c[probe]?.timeoutSeconds} (< 5)`);
  }
  check(`${render}: liveness and readiness: dpu-gatewayctl status --address=${ADDRESS}`, p.splice(0));

  // Requests and limits, set and ordered, within what the figures allow (data/kubernetes/README.md).
  for (const x of [c, ...(pod.initContainers ?? [])]) {
    const r = x.resources ?? {};
    for (const k of ["cpu", "memory"]) {
      if (r.requests?.[k] === undefined || r.limits?.[k] === undefined) p.push(`${x.name}: no ${k} request or limit`);
    }
    if (cpu(r.requests?.cpu) > cpu(r.limits?.cpu) || mem(r.requests?.memory) > mem(r.limits?.memory))
      p.push(`${x.name}: a request above its limit`);
  }
  // The daemon's VmRSS on the largest host measured is 9.2 MiB; a probe's client runs beside it.
  if (!(mem(c.resources?.requests?.memory) >= 16)) p.push(`memory request ${c.resources?.requests?.memory} < 16Mi`);
  if (!(mem(c.resources?.limits?.memory) >= 32)) p.push(`memory limit ${c.resources?.limits?.memory} < 32Mi`);
  check(`${render}: requests and limits of every container`, p.splice(0));

  // One image for the init container and the daemon.
  const images = new Set([c, ...(pod.initContainers ?? [])].map((x) => x.image));
  if (images.size !== 1) p.push(`images ${[...images].join(", ")}`);
  check(`${render}: one image (${[...images].join(", ")})`, p.splice(0));
}

// --- the ovnkube INI file, with the Helm keys' values ---------------------------------------

// What the kustomization sets: the base's defaults, the overlay's merged over them.
function helmValues(dirs) {
  const values = {};
  for (const d of dirs) {
    const k = parseYaml(readFileSync(join(kdir, d, "kustomization.yaml"), "utf8"));
    for (const g of k.configMapGenerator ?? []) {
      if (g.name !== "dpu-gateway-values") continue;
      for (const l of g.literals ?? []) {
        const i = l.indexOf("=");
        values[l.slice(0, i)] = l.slice(i + 1);
      }
    }
  }
  return values;
}

const tmp = mkdtempSync(join(tmpdir(), "dpugw-manifests-"));
try {
  const tree = join(tmp, "sys");
  run(mockSysfs, [join(src, "data", "dpu-host-example.umockdev"), tree]);
  for (const [render, dirs, gateway] of [
    ["base", ["base"], null],
    ["overlays/example", ["base", "overlays/example"], "eth0"],
  ]) {
    const ds = renders.get(render)?.find((o) => o.kind === "DaemonSet");
    const p = [];
    const values = helmValues(dirs);
    for (const k of ["ovnkube-node.mode", "ovnkube-node.mgmtPortNetdev", "gateway.interface"])
      if (!(k in values)) p.push(`no Helm key ${k} in ${dirs.join(" + ")}`);
    if (!ds?.ovnkubeConf) p.push("no rendered ovnkube.conf");
    else {
      // dpu-gatewayctl's own reader of the ovnkube INI file, as the daemon reads it.
      const file = join(tmp, "ovnkube.conf");
      writeFileSync(file, ds.ovnkubeConf);
      const r = spawnSync(ctl, ["status", "--local", "--json", `--config-file=${file}`, `--sysfs-root=${tree}`], { encoding: "utf8" });
      let status;
      try {
        status = JSON.parse(r.stdout);
      } catch {
        p.push(`dpu-gatewayctl status --local: exit ${r.status}: ${r.stdout} ${r.stderr}`);
      }
      if (status) {
        const conf = status.configuration ?? {};
        const want = {
          mode: values["ovnkube-node.mode"],
          "mgmt-port-netdev": values["ovnkube-node.mgmtPortNetdev"],
          "gateway-interface": values["gateway.interface"],
        };
        for (const [k, v] of Object.entries(want)) {
          if ((conf[k] ?? "") !== v) p.push(`${k}: ${JSON.stringify(conf[k])} in the file, ${JSON.stringify(v)} in the Helm keys`);
        }
        if (gateway !== null && status.interface !== gateway)
          p.push(`on the feature doc's example host: ${JSON.stringify(status.interface)}, not ${gateway}`);
      }
    }
    check(`${render}: ovnkube.conf holds the Helm keys ${JSON.stringify(values)}${gateway ? `; on the example host: ${gateway}` : ""}`, p);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

// --- the ovnkube-node patch ---------------------------------------------------------------

{
  const ds = renders.get("ovnkube-node")?.find((o) => o.kind === "DaemonSet" && o.metadata.name === "ovnkube-node-dpu-host");
  const p = [];
  if (!ds) p.push("no DaemonSet ovnkube-node-dpu-host");
  else {
    const pod = ds.spec.template.spec;
    const wait = (pod.initContainers ?? []).find((i) => i.name === "dpu-gateway-wait");
    const node = pod.containers.find((x) => x.name === "ovnkube-node");
    if (!wait) p.push("no init container dpu-gateway-wait");
    if (!node) p.push("no container ovnkube-node");
    if (wait && node) {
      const script = (wait.command ?? []).join(" ");
      if (!/dpu-gatewayctl wait [^\n]*--address=unix:path=\/run\/dpu-gateway\/bus/.test(script))
        p.push(`the init container does not run dpu-gatewayctl wait over the socket: ${script}`);
      const sock = mountOf(pod, wait, "/run/dpu-gateway");
      if (sock.volume?.hostPath?.path !== "/run/dpu-gateway") p.push(`the init container's socket mount: ${JSON.stringify(sock)}`);
      unprivileged(pod, wait, p);
      // The hand-over: the file the init container writes, in a volume both mount, read by
      // ovnkube-node's command into --gateway-interface.
      const file = /> (\/\S+)\.new\n\s*mv \1\.new \1\n/.exec(script + "\n")?.[1] ?? /mv \S+ (\/\S+)/.exec(script)?.[1];
      const shared = file && (wait.volumeMounts ?? []).find((m) => file.startsWith(m.mountPath + "/"));
      const theirs = shared && (node.volumeMounts ?? []).find((m) => m.name === shared.name && m.mountPath === shared.mountPath);
      const vol = shared && pod.volumes.find((v) => v.name === shared.name);
      if (!theirs || !vol?.emptyDir) p.push(`the interface's file ${file} is in no emptyDir both containers mount`);
      const cmd = (node.command ?? []).join(" ");
      if (!cmd.includes(`cat ${file}`) || !/--gateway-interface=\$gw/.test(cmd) || !/exec \/root\/ovnkube\.sh ovn-node/.test(cmd))
        p.push(`ovnkube-node's command does not hand ${file} to --gateway-interface: ${cmd}`);
      if (wait.image !== renders.get("overlays/example")?.find((o) => o.kind === "DaemonSet")?.spec.template.spec.containers[0].image)
        p.push(`the init container's image ${wait.image} is not the example's`);
    }
  }
  check("ovnkube-node: an init container waits over the socket, its answer goes to --gateway-interface", p);
}

console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
