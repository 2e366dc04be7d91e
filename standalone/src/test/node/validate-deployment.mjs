// Validates the deployment files against their schemas: every rendered Kubernetes object of a
// kind Kubernetes itself defines against kubernetes-models (its OpenAPI schemas), Strimzi's kinds
// for the fields Tandem relies on (kubernetes-models has no Strimzi CRDs), and docker-compose.yml
// against the Compose specification with dclint (its style rules aside).
// Usage: node validate-deployment.mjs RENDERED_K8S_YAML COMPOSE_FILE
// Prints "kubernetes objects valid: N" and "compose valid", or each problem with INVALID; exit 1 on any.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const [renderedFile, composeFile] = process.argv.slice(2);
let problems = 0;
const invalid = (what, why) => {
  problems++;
  console.log(`INVALID ${what}: ${why}`);
};

const objects = YAML.parseAllDocuments(readFileSync(renderedFile, 'utf8')).map((d) => d.toJS()).filter((o) => o);
let checked = 0;
let strimzi = 0;
for (const o of objects) {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : [null, o.apiVersion];
  const what = `${o.kind}/${o.metadata && o.metadata.name}`;
  if (group === 'kafka.strimzi.io') {
    strimzi++;
    checkStrimzi(o, what);
    continue;
  }
  let model;
  try {
    model = await import(`kubernetes-models/${group ? group + '/' : ''}${version}/${o.kind}`);
  } catch (e) {
    invalid(what, `no schema for ${o.apiVersion} ${o.kind}`);
    continue;
  }
  try {
    new model[o.kind](o).validate();
    checked++;
  } catch (e) {
    invalid(what, e.message);
  }
}

function checkStrimzi(o, what) {
  const s = o.spec || {};
  if (o.apiVersion !== 'kafka.strimzi.io/v1beta2') invalid(what, 'apiVersion is not kafka.strimzi.io/v1beta2');
  if (o.kind === 'KafkaTopic') {
    if (!o.metadata.labels || !o.metadata.labels['strimzi.io/cluster']) invalid(what, 'no strimzi.io/cluster label');
    if (!Number.isInteger(s.partitions) || s.partitions < 1) invalid(what, 'partitions must be a positive integer');
    if (!Number.isInteger(s.replicas) || s.replicas < 1) invalid(what, 'replicas must be a positive integer');
    for (const [k, v] of Object.entries(s.config || {})) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') invalid(what, `config ${k} is not a scalar`);
    }
  } else if (o.kind === 'KafkaNodePool') {
    if (!o.metadata.labels || !o.metadata.labels['strimzi.io/cluster']) invalid(what, 'no strimzi.io/cluster label');
    if (!Number.isInteger(s.replicas)) invalid(what, 'replicas must be an integer');
    if (!Array.isArray(s.roles) || !s.roles.every((r) => r === 'broker' || r === 'controller')) invalid(what, 'roles');
    if (!s.storage || !['jbod', 'persistent-claim', 'ephemeral'].includes(s.storage.type)) invalid(what, 'storage.type');
  } else if (o.kind === 'Kafka') {
    const k = s.kafka || {};
    if (!Array.isArray(k.listeners) || k.listeners.length === 0) invalid(what, 'spec.kafka.listeners is required');
    for (const l of k.listeners || []) {
      if (!l.name || !Number.isInteger(l.port) || !['internal', 'route', 'loadbalancer', 'nodeport', 'ingress', 'cluster-ip'].includes(l.type)
          || typeof l.tls !== 'boolean') invalid(what, `listener ${JSON.stringify(l)}`);
    }
    if (o.metadata.annotations?.['strimzi.io/kraft'] !== 'enabled') invalid(what, 'KRaft is not enabled');
  } else {
    invalid(what, 'an unexpected Strimzi kind');
  }
}

// dclint: the Compose specification's JSON Schema and its correctness rules; its style rules
// (key order, service order) are preferences this file does not follow.
const dclint = fileURLToPath(new URL('../../../../node_modules/dclint/bin/dclint.cjs', import.meta.url));
try {
  execFileSync(process.execPath, [dclint, composeFile, '--max-warnings', '0', '--color', 'false', '--disable-rule',
    'service-keys-order', 'services-alphabetical-order', 'top-level-properties-order'], { stdio: 'pipe' });
  console.log('compose valid');
} catch (e) {
  invalid(composeFile, String(e.stdout || e.message));
}

console.log(`kubernetes objects valid: ${checked} (and ${strimzi} Strimzi objects checked for the fields Tandem uses)`);
process.exit(problems ? 1 : 0);
