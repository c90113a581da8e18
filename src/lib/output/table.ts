import Table from 'cli-table3';

export type Align = 'left' | 'right' | 'center';

export interface Column {
  header: string;
  align?: Align;
}

/**
 * Rows of strings → a boxed table. Pure: no colour decisions here (cells may already be
 * coloured by the caller's Ui). `style.head: []` keeps cli-table3 from colouring headers itself.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  if (rows.length > PLAIN_ABOVE_ROWS) return renderPlainTable(columns, rows);
  const t = new Table({
    head: columns.map((c) => c.header),
    colAligns: columns.map((c) => c.align ?? 'left'),
    style: { head: [], border: [] },
  });
  for (const r of rows) t.push([...r]);
  return t.toString();
}

/**
 * Beyond this many rows the boxed renderer (which measures every cell with ANSI-aware width
 * functions) takes seconds; large captures get the same columns as plain aligned text.
 */
export const PLAIN_ABOVE_ROWS = 300;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

function visibleLength(s: string): number {
  return s.includes('\u001b') ? s.replace(ANSI, '').length : s.length;
}

/** Header, a rule, then one line per row; columns aligned, two spaces apart. */
export function renderPlainTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c) => c.header.length);
  for (const r of rows) for (let i = 0; i < columns.length; i++) widths[i] = Math.max(widths[i] as number, visibleLength(r[i] ?? ''));
  const cell = (text: string, i: number) => {
    const pad = (widths[i] as number) - visibleLength(text);
    return columns[i]?.align === 'right' ? ' '.repeat(pad) + text : text + ' '.repeat(pad);
  };
  const lines = [columns.map((c, i) => cell(c.header, i)).join('  ').trimEnd(), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) lines.push(columns.map((_, i) => cell(r[i] ?? '', i)).join('  ').trimEnd());
  return lines.join('\n');
}

/** Two-column key/value block for summaries. */
export function renderKeyValues(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
