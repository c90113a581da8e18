#!/usr/bin/env node
// Import-graph checks over src/ (STYLE.md rule 17): no circular imports, and imports flow one
// way — commands → tasks → engines → codecs → bytes. Prints the problems; exit 1 when any.
// Type-only imports (`import type`) are ignored: they vanish at compile time.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = process.argv[2] ? resolve(process.argv[2]) : join(root, 'src');

/** Layer of a module by its folder; a module may import only from its own or a lower layer. */
const LAYERS = [
  ['codec', ['lib/pcap', 'lib/layers', 'lib/sip', 'lib/sdp', 'lib/rtp', 'lib/rtcp', 'lib/result.ts', 'lib/errors.ts']],
  ['engine', ['lib/dissect', 'lib/flows', 'lib/metrics', 'lib/mos', 'lib/trace', 'lib/gen', 'lib/report', 'lib/probe', 'lib/engine', 'lib/exporter', 'lib/net', 'lib/io', 'lib/output']],
  ['task', ['lib/tasks']],
  ['cli', ['cli']],
  ['command', ['commands']],
];

function layerOf(file) {
  const rel = relative(src, file);
  for (let i = 0; i < LAYERS.length; i++) if (LAYERS[i][1].some((p) => rel === p || rel.startsWith(p + '/'))) return i;
  return -1;
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const files = walk(src);
const graph = new Map();
const IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^'"]*?\s+from\s+)?['"](\.[^'"]+)['"]/gm;
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  const deps = [];
  for (const m of text.matchAll(IMPORT)) deps.push(resolve(dirname(f), m[1].replace(/\.js$/, '.ts')));
  graph.set(f, deps.filter((d) => graph.has(d) || files.includes(d)));
}

const problems = [];
// Tarjan's strongly connected components: any component of more than one module is a cycle.
let index = 0;
const idx = new Map(), low = new Map(), onStack = new Set(), stack = [];
function strong(v) {
  idx.set(v, index); low.set(v, index); index++; stack.push(v); onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v), low.get(w))); }
    else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const comp = [];
    let w;
    do { w = stack.pop(); onStack.delete(w); comp.push(w); } while (w !== v);
    if (comp.length > 1) problems.push(`cycle: ${comp.map((c) => relative(src, c)).join(' → ')}`);
  }
}
for (const f of files) if (!idx.has(f)) strong(f);

for (const [f, deps] of graph) {
  const lf = layerOf(f);
  for (const d of deps) {
    const ld = layerOf(d);
    if (lf >= 0 && ld > lf) problems.push(`upward import: ${relative(src, f)} (${LAYERS[lf][0]}) imports ${relative(src, d)} (${LAYERS[ld][0]})`);
  }
}

for (const p of problems) console.log(p);
console.log(`${files.length} modules, ${problems.length} import problems`);
process.exit(problems.length ? 1 : 0);
