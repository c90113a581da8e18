/**
 * A SIP call as a printable ASCII sequence diagram: hosts as columns (in order of first
 * appearance), one arrow per message with its label, the time of day and the delta to the
 * previous message on the left. Pure: ladder entries in, lines out.
 */
import type { LadderResult } from '../engine/analysis-result.js';

const TIME_WIDTH = 16; // "12:00:00.000000 "
const DELTA_WIDTH = 12;

export function renderLadder(ladder: LadderResult): string {
  const hosts = ladder.hosts;
  if (ladder.entries.length === 0) return `Call-ID ${ladder.callId}: no messages\n`;
  const longest = Math.max(...ladder.entries.map((e) => e.label.length + (e.retransmission ? 9 : 0)));
  const colWidth = Math.max(24, longest + 6, ...hosts.map((h) => h.length + 2));
  const centre = (i: number) => i * colWidth + Math.floor(colWidth / 2);
  const width = hosts.length * colWidth;
  const gutter = ' '.repeat(TIME_WIDTH + DELTA_WIDTH);

  const lines: string[] = [];
  lines.push(`Call-ID: ${ladder.callId}`);
  let header = '';
  for (let i = 0; i < hosts.length; i++) {
    const h = hosts[i] as string;
    const start = centre(i) - Math.floor(h.length / 2);
    header = header.padEnd(start) + h;
  }
  lines.push(gutter + header);
  lines.push(gutter + lifelines(hosts.length, centre, width));

  for (const e of ladder.entries) {
    const from = hosts.indexOf(e.src);
    const to = hosts.indexOf(e.dst);
    const row = lifelines(hosts.length, centre, width).split('');
    const label = e.retransmission ? `${e.label} (retrans)` : e.label;
    if (from === to) {
      // A message to itself (rare): mark it beside the lifeline.
      const at = centre(from) + 2;
      writeAt(row, at, `<-> ${label}`);
    } else {
      const a = Math.min(centre(from), centre(to));
      const b = Math.max(centre(from), centre(to));
      for (let x = a + 1; x < b; x++) row[x] = '-';
      if (to > from) row[b - 1] = '>';
      else row[a + 1] = '<';
      const span = b - a - 3;
      const text = label.length > span ? label.slice(0, Math.max(0, span)) : label;
      const start = a + 2 + Math.floor((span - text.length) / 2);
      writeAt(row, start, text);
    }
    const time = e.time.slice(11, 26).padEnd(TIME_WIDTH);
    const delta = `+${e.deltaMs.toFixed(3)}`.padStart(DELTA_WIDTH - 2).padEnd(DELTA_WIDTH);
    lines.push(time + delta + row.join('').trimEnd());
  }
  return lines.join('\n') + '\n';
}

function lifelines(n: number, centre: (i: number) => number, width: number): string {
  const row = new Array<string>(width).fill(' ');
  for (let i = 0; i < n; i++) row[centre(i)] = '|';
  return row.join('');
}

function writeAt(row: string[], at: number, text: string): void {
  for (let i = 0; i < text.length; i++) if (at + i < row.length) row[at + i] = text[i] as string;
  for (let i = row.length; i < at + text.length; i++) row.push(text[i - at] as string);
}
