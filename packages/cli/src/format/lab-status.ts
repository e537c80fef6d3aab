/** Human-readable rendering of a lab status. */
import type { LabStatus } from '@patroni-kit/lab';
import { renderTable } from './table.js';

/** The text `lab up` and `lab status` print. */
export function formatStatus(s: LabStatus): string {
  const rows = s.members.map((m) => [
    m.name,
    m.host,
    m.role,
    m.state + (m.partitioned ? ' (partitioned)' : ''),
    m.timeline === undefined ? '' : String(m.timeline),
    m.restUrl,
    `${m.etcd.name} ${m.etcd.healthy ? 'healthy' : m.etcd.running ? 'unhealthy' : 'stopped'}`,
  ]);
  const lines = [
    `Cluster '${s.scope}' (${s.topology}, ${s.profile} timing${s.sync ? ', synchronous mode' : ''}): Patroni ${s.versions.patroni}, etcd ${s.versions.etcd}, PostgreSQL ${s.versions.postgres}, HAProxy ${s.versions.haproxy}`,
    '',
    renderTable(['Member', 'Host', 'Role', 'State', 'TL', 'REST API', 'etcd'], rows),
    '',
    `Leader:  ${s.leader ?? '(none)'}`,
    `Writer:  ${s.writerUri}`,
    `Reader:  ${s.readerUri}`,
    `Stats:   ${s.statsUrl}`,
    `etcd:    ${s.etcdEndpoints.join(',')}`,
    '',
    'Connect:',
    `  PGPASSFILE=${s.pgpassFile} psql -h ${hostOf(s.writerUri)} -p ${portOf(s.writerUri)} -U postgres postgres   # writer (leader)`,
    `  PGPASSFILE=${s.pgpassFile} psql -h ${hostOf(s.readerUri)} -p ${portOf(s.readerUri)} -U postgres postgres   # reader (replicas)`,
    '',
    `Credentials: ${s.credentialsFile}`,
    `patronictl:  patronictl -c ${s.ctlConfig} list`,
    `Stop:        patroni-kit lab down${s.dir ? ` --dir ${s.dir}` : ''}`,
  ];
  for (const w of s.warnings) lines.push('', `WARNING: ${w}`);
  return `${lines.join('\n')}\n`;
}

function hostOf(uri: string): string {
  return new URL(uri).hostname;
}
function portOf(uri: string): string {
  return new URL(uri).port;
}
