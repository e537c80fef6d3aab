/**
 * The drill's timeline picture: writes and reads per second through HAProxy, each member's role over
 * time and the events, drawn as SVG and rasterised to PNG by resvg (no browser) with the DejaVu font.
 */
import { existsSync } from 'node:fs';
import type { CheckResult, DrillHistory } from './types.js';

const W = 1400;
const LEFT = 120;
const RIGHT = 30;
const PLOT = W - LEFT - RIGHT;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The SVG of a drill's timeline. */
export function timelineSvg(h: DrillHistory, c: CheckResult, ok: boolean): string {
  const t0 = h.startedAt;
  const span = Math.max(1, Math.ceil((h.endedAt - t0) / 1000));
  const x = (t: number) => LEFT + ((t - t0) / 1000 / span) * PLOT;
  const parts: string[] = [];
  const MAX_EVENTS = 40;
  const events = h.events.slice(0, MAX_EVENTS);
  const eventRows = events.length;
  const chartTop = 84;
  const chartH = 220;
  const laneTop = chartTop + chartH + 50;
  const laneH = 30;
  const lanesBottom = laneTop + h.members.length * (laneH + 8);
  const listTop = lanesBottom + 60;
  const H = listTop + (eventRows + (h.events.length > MAX_EVENTS ? 1 : 0)) * 18 + 30;

  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  const verdict = ok ? 'PASS' : 'FAIL';
  parts.push(
    `<text x="${LEFT}" y="28" font-size="20" font-weight="bold">${esc(h.scenario)} — <tspan fill="${ok ? '#1a7f37' : '#cf222e'}">${verdict}</tspan></text>`,
  );
  const w = c.writes;
  const summary = `${w.attempted} writes: ${w.acknowledged} acknowledged, ${w.lost.length} lost, ${w.ghost.length} ghost, ${w.failed} failed, ${w.timedOut} timed out · ${c.dualPrimary.length} dual-primary rounds · longest write gap ${(c.outage.maxWriteGapMs / 1000).toFixed(2)} s${c.outage.writerBackMs !== null ? ` · writer back ${(c.outage.writerBackMs / 1000).toFixed(2)} s after the fault` : ''} · ${h.synchronous ? 'synchronous' : 'asynchronous'} mode`;
  parts.push(`<text x="${LEFT}" y="50" font-size="13" fill="#444">${esc(summary)}</text>`);

  // Per-second buckets.
  const okW = new Array<number>(span).fill(0);
  const badW = new Array<number>(span).fill(0);
  const okR = new Array<number>(span).fill(0);
  const bucket = (t: number) => Math.min(span - 1, Math.max(0, Math.floor((t - t0) / 1000)));
  for (const wr of h.writes) (wr.outcome === 'ok' ? okW : badW)[bucket(wr.endedAt)]! += 1;
  for (const r of h.reads) if (r.ok) okR[bucket(r.endedAt)]! += 1;
  const max = Math.max(5, ...okW.map((v, i) => v + badW[i]!), ...okR);
  const y = (v: number) => chartTop + chartH - (v / max) * chartH;
  const bw = Math.max(1, PLOT / span - 1);

  // Axes and grid.
  parts.push(
    `<rect x="${LEFT}" y="${chartTop}" width="${PLOT}" height="${chartH}" fill="#fafafa" stroke="#ccc"/>`,
  );
  for (let k = 0; k <= 4; k++) {
    const v = Math.round((max * k) / 4);
    const yy = y(v);
    parts.push(`<line x1="${LEFT}" x2="${LEFT + PLOT}" y1="${yy}" y2="${yy}" stroke="#e5e5e5"/>`);
    parts.push(
      `<text x="${LEFT - 8}" y="${yy + 4}" font-size="11" text-anchor="end" fill="#555">${v}</text>`,
    );
  }
  parts.push(
    `<text x="20" y="${chartTop + chartH / 2}" font-size="12" fill="#333" transform="rotate(-90 20 ${chartTop + chartH / 2})" text-anchor="middle">per second</text>`,
  );
  for (let i = 0; i < span; i++) {
    const xx = LEFT + (i / span) * PLOT;
    if (okW[i]! > 0)
      parts.push(
        `<rect x="${xx}" y="${y(okW[i]!)}" width="${bw}" height="${chartTop + chartH - y(okW[i]!)}" fill="#2da44e"/>`,
      );
    if (badW[i]! > 0) {
      const top = y(okW[i]! + badW[i]!);
      parts.push(`<rect x="${xx}" y="${top}" width="${bw}" height="${y(okW[i]!) - top}" fill="#cf222e"/>`);
    }
  }
  const line = okR.map(
    (v, i) => `${i === 0 ? 'M' : 'L'}${(LEFT + ((i + 0.5) / span) * PLOT).toFixed(1)},${y(v).toFixed(1)}`,
  );
  parts.push(`<path d="${line.join(' ')}" fill="none" stroke="#0969da" stroke-width="2"/>`);
  // Time axis.
  const step = span <= 60 ? 5 : span <= 180 ? 10 : span <= 600 ? 30 : 60;
  for (let s = 0; s <= span; s += step) {
    const xx = LEFT + (s / span) * PLOT;
    parts.push(
      `<line x1="${xx}" x2="${xx}" y1="${chartTop + chartH}" y2="${chartTop + chartH + 5}" stroke="#555"/>`,
    );
    parts.push(
      `<text x="${xx}" y="${chartTop + chartH + 18}" font-size="11" text-anchor="middle" fill="#555">${s} s</text>`,
    );
  }
  // Legend.
  const lg = chartTop - 10;
  parts.push(`<rect x="${LEFT + PLOT - 470}" y="${lg - 10}" width="12" height="10" fill="#2da44e"/>`);
  parts.push(`<text x="${LEFT + PLOT - 454}" y="${lg}" font-size="12">writes acknowledged (5000)</text>`);
  parts.push(`<rect x="${LEFT + PLOT - 280}" y="${lg - 10}" width="12" height="10" fill="#cf222e"/>`);
  parts.push(`<text x="${LEFT + PLOT - 264}" y="${lg}" font-size="12">writes failed/timed out</text>`);
  parts.push(
    `<line x1="${LEFT + PLOT - 110}" x2="${LEFT + PLOT - 95}" y1="${lg - 5}" y2="${lg - 5}" stroke="#0969da" stroke-width="2"/>`,
  );
  parts.push(`<text x="${LEFT + PLOT - 90}" y="${lg}" font-size="12">reads (5001)</text>`);

  // Role lanes.
  parts.push(
    `<text x="${LEFT}" y="${laneTop - 12}" font-size="13" fill="#333">role per member (pg_is_in_recovery over the member's socket; REST role when PostgreSQL does not answer)</text>`,
  );
  const color = (s: { writable: boolean | null; restRole: string | null }) =>
    s.writable === true ? '#bf8700' : s.writable === false ? '#54aeff' : s.restRole ? '#d0d7de' : '#8c959f';
  h.members.forEach((m, i) => {
    const top = laneTop + i * (laneH + 8);
    parts.push(
      `<text x="${LEFT - 10}" y="${top + laneH / 2 + 5}" font-size="14" text-anchor="end" font-weight="bold">${esc(m)}</text>`,
    );
    parts.push(
      `<rect x="${LEFT}" y="${top}" width="${PLOT}" height="${laneH}" fill="#f6f8fa" stroke="#ddd"/>`,
    );
    const samples = h.samples.filter((s) => s.member === m).sort((a, b) => a.at - b.at);
    // One rectangle per run of samples with the same colour.
    for (let k = 0; k < samples.length; ) {
      const col = color(samples[k]!);
      let j = k + 1;
      while (j < samples.length && color(samples[j]!) === col) j++;
      const x1 = x(samples[k]!.at);
      const x2 = Math.max(x1 + 1, x(samples[j]?.at ?? h.endedAt));
      parts.push(
        `<rect x="${x1.toFixed(1)}" y="${top}" width="${(x2 - x1).toFixed(1)}" height="${laneH}" fill="${col}" shape-rendering="crispEdges"/>`,
      );
      k = j;
    }
  });
  const ly = lanesBottom + 14;
  const legend: Array<[string, string]> = [
    ['#bf8700', 'primary (writable)'],
    ['#54aeff', 'replica (read-only)'],
    ['#d0d7de', 'PostgreSQL down, Patroni answers'],
    ['#8c959f', 'unreachable'],
  ];
  legend.forEach(([col, label], k) => {
    const lx = LEFT + k * 260;
    parts.push(`<rect x="${lx}" y="${ly - 10}" width="12" height="10" fill="${col}"/>`);
    parts.push(`<text x="${lx + 16}" y="${ly}" font-size="12">${esc(label)}</text>`);
  });

  // Event markers and list.
  events.forEach((e, k) => {
    const xx = x(e.at);
    const col =
      e.kind === 'fault'
        ? '#cf222e'
        : e.kind === 'heal'
          ? '#1a7f37'
          : e.kind === 'role'
            ? '#9a6700'
            : '#6e7781';
    parts.push(
      `<line x1="${xx}" x2="${xx}" y1="${chartTop}" y2="${lanesBottom}" stroke="${col}" stroke-dasharray="4 3" stroke-width="1.2"/>`,
    );
    parts.push(
      `<text x="${xx + 2}" y="${chartTop + 12 + (k % 6) * 13}" font-size="11" fill="${col}">${k + 1}</text>`,
    );
    const ty = listTop + k * 18;
    parts.push(
      `<text x="${LEFT}" y="${ty}" font-size="12" fill="${col}">${k + 1}. +${((e.at - t0) / 1000).toFixed(1)} s  ${esc(e.kind)}: ${esc(e.text.length > 150 ? `${e.text.slice(0, 150)}…` : e.text)}</text>`,
    );
  });
  if (h.events.length > MAX_EVENTS)
    parts.push(
      `<text x="${LEFT}" y="${listTop + events.length * 18}" font-size="12" fill="#6e7781">… ${h.events.length - MAX_EVENTS} more in report.md</text>`,
    );
  parts.push(`<text x="${LEFT}" y="${listTop - 22}" font-size="13" fill="#333">events</text>`);
  // Dual-primary rounds: a red band over the role lanes.
  for (const d of c.dualPrimary) {
    parts.push(
      `<rect x="${x(d.at).toFixed(1)}" y="${laneTop - 4}" width="${Math.max(2, (PLOT / span) * 0.2).toFixed(1)}" height="${lanesBottom - laneTop}" fill="#cf222e" fill-opacity="0.5"/>`,
    );
  }

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans">${parts.join('')}</svg>`;
}

const FONT_DIRS = ['/usr/share/fonts/truetype/dejavu'];

/** Rasterises an SVG to PNG with resvg, using the DejaVu font (Debian `fonts-dejavu-core`) for text. */
export async function svgToPng(svg: string): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  const fontFiles = FONT_DIRS.flatMap((d) =>
    ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => `${d}/${f}`).filter((p) => existsSync(p)),
  );
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: fontFiles.length === 0, fontFiles, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'original' },
  });
  return resvg.render().asPng();
}
