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
  const t = new Table({
    head: columns.map((c) => c.header),
    colAligns: columns.map((c) => c.align ?? 'left'),
    style: { head: [], border: [] },
  });
  for (const r of rows) t.push([...r]);
  return t.toString();
}

/** Two-column key/value block for summaries. */
export function renderKeyValues(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
