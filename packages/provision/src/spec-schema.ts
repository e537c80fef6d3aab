/**
 * The JSON Schema of a cluster spec. This object is the source: scripts/gen-provision-spec.mjs writes it to
 * schemas/cluster-spec.schema.json and the reference to docs/provision-spec.md.
 */

const name = {
  type: 'string',
  pattern: '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$',
  description: 'Lowercase letters, digits and dashes (it becomes a host, member and slot name).',
} as const;

const address = {
  type: 'string',
  pattern: '^(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}$',
  description: 'IPv4 address the other nodes and clients reach this host on.',
} as const;

const port = { type: 'integer', minimum: 1, maximum: 65535 } as const;

const ssh = {
  type: 'object',
  additionalProperties: false,
  description: 'How to log in. Node settings override the top-level `ssh` defaults field by field.',
  properties: {
    user: {
      type: 'string',
      minLength: 1,
      description: 'Login user; commands run with `sudo -n` unless root.',
    },
    port: { ...port, description: 'SSH port (default 22).' },
    privateKey: {
      type: 'string',
      minLength: 1,
      description: 'Private key file (OpenSSH format), relative to the spec file.',
    },
    passphraseEnv: {
      type: 'string',
      pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      description: "Environment variable holding the key's passphrase.",
    },
    agent: {
      type: 'boolean',
      description: 'Use the SSH agent at $SSH_AUTH_SOCK (default when no privateKey is given).',
    },
    passwordEnv: {
      type: 'string',
      pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      description:
        'Allow password authentication with the password from this environment variable. Off unless set.',
    },
    knownHosts: {
      type: 'string',
      minLength: 1,
      description: 'known_hosts file the host keys are checked against (default ~/.ssh/known_hosts).',
    },
    hostKey: {
      type: 'string',
      pattern: '^SHA256:[A-Za-z0-9+/]{43}$',
      description:
        'Pinned host key fingerprint (as `ssh-keygen -lf` prints it); checked instead of known_hosts.',
    },
    jump: {
      type: 'object',
      additionalProperties: false,
      required: ['host'],
      description: 'A jump host (like `ssh -J`); its key is verified the same way.',
      properties: {
        host: { type: 'string', minLength: 1 },
        port,
        user: { type: 'string', minLength: 1 },
        hostKey: { type: 'string', pattern: '^SHA256:[A-Za-z0-9+/]{43}$' },
      },
    },
    connectTimeoutMs: { type: 'integer', minimum: 100, maximum: 600000, description: 'Default 15000.' },
  },
} as const;

const tls = {
  type: 'object',
  additionalProperties: false,
  required: ['enabled'],
  properties: {
    enabled: { type: 'boolean' },
    caFile: {
      type: 'string',
      minLength: 1,
      description:
        'CA certificate (PEM), relative to the spec, when it is not CERTDIR/ca.crt. Without CERTDIR/ca.key no certificate can be issued, so every NODE.crt/NODE.key must then be in certDir.',
    },
    certDir: {
      type: 'string',
      minLength: 1,
      description:
        'Folder (0700) with the cluster CA (ca.crt, ca.key), NODE.crt/NODE.key per node and operator.crt/operator.key, relative to the spec; what is missing is generated with openssl, what exists is reused. Default SPEC.tls next to the spec.',
    },
  },
} as const;

/** The cluster spec's JSON Schema (draft-07). */
export const clusterSpecSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://patroni-kit.dev/schemas/cluster-spec.schema.json',
  title: 'patroni-kit cluster spec',
  description:
    'One file describing a Patroni cluster: three (or more) PostgreSQL nodes with Patroni, a three-member etcd, HAProxy.',
  type: 'object',
  additionalProperties: false,
  required: ['cluster', 'nodes'],
  properties: {
    cluster: { ...name, description: 'Patroni scope (cluster name).' },
    namespace: {
      type: 'string',
      pattern: '^/([A-Za-z0-9_.-]+/)*$',
      default: '/service/',
      description: 'Patroni DCS namespace.',
    },
    nodes: {
      type: 'array',
      minItems: 1,
      maxItems: 9,
      description:
        'PostgreSQL + Patroni nodes; the first three also run etcd. The first node bootstraps the cluster.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'address'],
        properties: {
          name,
          address,
          ssh,
          tags: {
            type: 'object',
            additionalProperties: false,
            properties: {
              nofailover: { type: 'boolean' },
              noloadbalance: { type: 'boolean' },
              nosync: { type: 'boolean' },
            },
          },
        },
      },
    },
    ssh: { ...ssh, description: 'SSH defaults for every node.' },
    network: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allow: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: '^\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}$' },
          description:
            "CIDRs allowed in pg_hba (replication and clients). Default: each node's /24 (HAProxy connects from a node address).",
        },
      },
    },
    postgres: {
      type: 'object',
      additionalProperties: false,
      properties: {
        major: { type: 'integer', minimum: 12, maximum: 18, default: 15, description: 'PostgreSQL major.' },
        port: { ...port, default: 5432 },
        parameters: {
          type: 'object',
          additionalProperties: { type: ['string', 'number', 'boolean'] },
          description: 'Extra PostgreSQL parameters, written to bootstrap.dcs.postgresql.parameters.',
        },
      },
    },
    patroni: {
      type: 'object',
      additionalProperties: false,
      properties: {
        source: {
          enum: ['debian', 'pip', 'installed'],
          default: 'debian',
          description:
            "`debian`: apt's patroni package; `pip`: the recipe's virtualenv in /opt/patroni; `installed`: leave it to you (give `bin`).",
        },
        bin: { type: 'string', minLength: 1, description: 'The patroni executable (source installed).' },
        packages: {
          type: 'array',
          items: { type: 'string', pattern: '^[a-z0-9][a-z0-9+.-]*$' },
          description:
            'Extra Debian packages every node needs, e.g. the Python modules an `installed` Patroni imports (python3-etcd, python3-psycopg2, ...).',
        },
        version: {
          enum: ['3.0', '4.0', '4.1'],
          description:
            'Release line the config is linted for (default: 3.0 for debian bookworm, 4.0 otherwise).',
        },
        restApiPort: { ...port, default: 8008 },
      },
    },
    etcd: {
      type: 'object',
      additionalProperties: false,
      properties: {
        source: { enum: ['debian', 'installed'], default: 'debian' },
        members: {
          type: 'array',
          minItems: 3,
          uniqueItems: true,
          items: { type: 'string', minLength: 1 },
          description:
            'The nodes (by name) that run an etcd member: 3 or 5 of them. Default: the first three nodes. Fixed once the cluster exists: nodes added later run Patroni only, and provision refuses a change of this set (etcd membership is changed by hand; see the README).',
        },
        clientPort: { ...port, default: 2379 },
        peerPort: { ...port, default: 2380 },
      },
    },
    synchronous: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: { type: 'boolean', default: false, description: 'Patroni synchronous_mode.' },
        strict: { type: 'boolean', default: false, description: 'synchronous_mode_strict.' },
        nodeCount: { type: 'integer', minimum: 1, maximum: 8, default: 1 },
      },
    },
    timing: {
      enum: ['default', 'fast'],
      default: 'default',
      description: '`default`: ttl 30 / loop_wait 10 / retry_timeout 10; `fast`: ttl 20 / 2 / 4.',
    },
    haproxy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        placement: {
          enum: ['nodes', 'hosts', 'none'],
          default: 'nodes',
          description: '`nodes`: on every node; `hosts`: on the `hosts` below; `none`: not managed.',
        },
        hosts: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'address'],
            properties: { name, address, ssh },
          },
        },
        writerPort: { ...port, default: 5000 },
        readerPort: { ...port, default: 5001 },
        statsPort: { ...port, default: 7000, description: 'Stats page, bound to 127.0.0.1 only.' },
      },
    },
    webhook: {
      type: 'object',
      additionalProperties: false,
      required: ['urlFile'],
      description: "Slack-compatible notification on every role change (Patroni's on_role_change).",
      properties: {
        urlFile: {
          type: 'string',
          minLength: 1,
          description:
            'Local file holding the webhook URL (never inline); copied to each node readable only by root and postgres.',
        },
      },
    },
    tls: {
      type: 'object',
      additionalProperties: false,
      properties: {
        restApi: {
          ...tls,
          description:
            "TLS for Patroni's REST API (HTTPS; `verify_client: optional`: unsafe endpoints need a client certificate of the cluster CA and the password, GETs and health checks none). HAProxy checks over TLS against the CA.",
        },
        etcd: {
          ...tls,
          description:
            'TLS for etcd client and peer traffic (https URLs, client-cert-auth on both: every client, Patroni included, shows a certificate of the cluster CA).',
        },
      },
    },
    secretsFile: {
      type: 'string',
      minLength: 1,
      description: 'Where generated passwords are kept (0600). Default: SPEC.secrets.json next to the spec.',
    },
  },
} as const;
