/**
 * @patroni-kit/provision: a cluster spec turned into patroni.yml, etcd, HAProxy and systemd files, applied
 * over SSH in the production recipe's order, idempotent and resumable.
 */

export * from './engine.js';
export * from './known-hosts.js';
export * from './pki.js';
export * from './render.js';
export * from './secrets.js';
export * from './spec.js';
export { clusterSpecSchema } from './spec-schema.js';
export { type ExecOptions, type ExecResult, SshHost, shq } from './ssh.js';
