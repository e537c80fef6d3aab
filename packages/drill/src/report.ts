/** A drill run's report: Markdown for people, JSON for machines, and the PNG timeline. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioResult } from './drill.js';
import { svgToPng, timelineSvg } from './timeline.js';

const s = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`;

/** The JSON summary of one scenario (the full history is written beside it). */
export function summary(r: ScenarioResult) {
  const c = r.check;
  return {
    scenario: r.scenario,
    ok: r.ok,
    run: r.history.run,
    synchronous: r.history.synchronous,
    timing: r.timing,
    writes: {
      attempted: c.writes.attempted,
      acknowledged: c.writes.acknowledged,
      acknowledgedPresent: c.writes.acknowledgedPresent,
      failed: c.writes.failed,
      timedOut: c.writes.timedOut,
      lost: c.writes.lost.length,
      lostBytes: c.writes.lostBytes,
      lostWalBytes: c.writes.lostWalBytes,
      ghost: c.writes.ghost.length,
      definiteGhost: c.writes.definiteGhost.length,
      unexpected: c.writes.unexpected.length,
    },
    dualPrimaryRounds: c.dualPrimary.length,
    restDualPrimaryRounds: c.restDualPrimaryRounds,
    pollRounds: new Set(r.history.samples.map((x) => x.round)).size,
    outage: c.outage,
    reads: c.reads,
    streaming: { ok: r.streaming.ok, leader: r.streaming.leader, problems: r.streaming.problems },
    byMember: c.byMember,
    details: r.details,
    violations: c.violations,
    problems: r.problems,
  };
}

/** The Markdown report of one scenario. */
export function markdown(r: ScenarioResult, png?: string): string {
  const c = r.check;
  const t0 = r.history.startedAt;
  const lines = [
    `# Drill: ${r.scenario} — ${r.ok ? 'PASS' : 'FAIL'}`,
    '',
    r.description,
    '',
    `Run \`${r.history.run}\`, ${new Date(t0).toISOString()}, ${((r.history.endedAt - t0) / 1000).toFixed(1)} s; ttl ${r.timing.ttl} / loop_wait ${r.timing.loop_wait} / retry_timeout ${r.timing.retry_timeout}; ${r.history.synchronous ? 'synchronous' : 'asynchronous'} mode; maximum_lag_on_failover ${r.history.maximumLagOnFailover} bytes.`,
    '',
  ];
  if (png) lines.push(`![timeline](${png})`, '');
  lines.push(
    '| check | result |',
    '|---|---|',
    `| writes attempted / acknowledged | ${c.writes.attempted} / ${c.writes.acknowledged} |`,
    `| acknowledged and present | ${c.writes.acknowledgedPresent} |`,
    `| **lost** (acknowledged, missing) | ${c.writes.lost.length}${c.writes.lost.length ? ` (${c.writes.lostBytes} payload bytes, ${c.writes.lostWalBytes} WAL bytes past the fork)` : ''} |`,
    `| **ghost** (failed or timed out, yet committed) | ${c.writes.ghost.length} (definite failures among them: ${c.writes.definiteGhost.length}) |`,
    `| failed / timed out | ${c.writes.failed} / ${c.writes.timedOut} |`,
    `| rows nobody wrote | ${c.writes.unexpected.length} |`,
    `| poll rounds with more than one writable primary | ${c.dualPrimary.length} of ${new Set(r.history.samples.map((x) => x.round)).size} (REST roles: ${c.restDualPrimaryRounds} rounds with two primaries) |`,
    `| longest write gap through the writer port | ${s(c.outage.maxWriteGapMs)} |`,
    `| writer back after the fault | ${s(c.outage.writerBackMs)} |`,
    `| reads ok through the reader port | ${c.reads.ok} of ${c.reads.attempted} (${c.reads.onPrimary} answered by a primary) |`,
    `| every member streams at the end | ${r.streaming.ok ? `yes (leader ${r.streaming.leader})` : `no: ${r.streaming.problems.join('; ')}`} |`,
    '',
  );
  if (c.violations.length || r.problems.length) {
    lines.push('## Problems', '', ...[...c.violations, ...r.problems].map((p) => `- ${p}`), '');
  }
  lines.push(
    '## Acknowledged writes by member and timeline',
    '',
    '| member | timeline | acknowledged |',
    '|---|---|---|',
  );
  for (const b of c.byMember) lines.push(`| ${b.member} | ${b.timeline ?? '?'} | ${b.acknowledged} |`);
  lines.push('', '## Events', '', '| at | kind | what |', '|---|---|---|');
  for (const e of r.history.events)
    lines.push(`| +${((e.at - t0) / 1000).toFixed(1)} s | ${e.kind} | ${e.text.replace(/\|/g, '\\|')} |`);
  if (Object.keys(r.details).length) {
    lines.push('', '## Observations', '', '```json', JSON.stringify(r.details, null, 2), '```');
  }
  return `${lines.join('\n')}\n`;
}

/** Files written for one scenario. */
export interface ReportFiles {
  dir: string;
  markdown: string;
  json: string;
  history: string;
  png: string;
}

/** Writes report.md, report.json, history.json and timeline.png into `dir`. */
export async function writeReport(r: ScenarioResult, dir: string): Promise<ReportFiles> {
  mkdirSync(dir, { recursive: true });
  const files: ReportFiles = {
    dir,
    markdown: join(dir, 'report.md'),
    json: join(dir, 'report.json'),
    history: join(dir, 'history.json'),
    png: join(dir, 'timeline.png'),
  };
  writeFileSync(files.png, await svgToPng(timelineSvg(r.history, r.check, r.ok)));
  writeFileSync(files.markdown, markdown(r, 'timeline.png'));
  writeFileSync(files.json, `${JSON.stringify(summary(r), null, 2)}\n`);
  writeFileSync(files.history, `${JSON.stringify(r.history)}\n`);
  return files;
}
