/**
 * JSON.stringify(value, null, 2), produced piece by piece so that a large result (20,000 call
 * rows are ~40 MB of JSON) is never one string in memory, and written with
 * backpressure. The text is byte-for-byte what JSON.stringify gives (tested against it).
 *
 * Containers are walked down to `opts.depth` levels, and arrays longer than `opts.longArray`
 * at any level; everything below is stringified whole (one call row at a time) and re-indented.
 */
import { once } from 'node:events';

export interface JsonChunkOptions {
  /** Container levels walked piece by piece (default 3: envelope → result → calls → row). */
  depth?: number;
  /** Arrays at least this long are walked whatever their depth (default 256). */
  longArray?: number;
  /** Target chunk size in characters (default 64 Ki). */
  chunkChars?: number;
}

const INDENT = '  ';

/** The JSON text of `value` (as JSON.stringify(value, null, 2)) in chunks of about chunkChars. */
export function* jsonChunks(value: unknown, opts: JsonChunkOptions = {}): Generator<string, void, undefined> {
  const chunkChars = opts.chunkChars ?? 64 * 1024;
  let buf = '';
  for (const piece of pieces(toJsonValue(value, ''), '', 0, opts.depth ?? 3, opts.longArray ?? 256)) {
    buf += piece;
    if (buf.length >= chunkChars) {
      yield buf;
      buf = '';
    }
  }
  if (buf.length > 0) yield buf;
}

/** Write `value` as indented JSON and a newline to `stream`, waiting for 'drain' when told to. */
export async function writeJson(stream: NodeJS.WritableStream, value: unknown, opts: JsonChunkOptions = {}): Promise<void> {
  for (const chunk of jsonChunks(value, opts)) {
    if (!stream.write(chunk)) await once(stream, 'drain');
  }
  if (!stream.write('\n')) await once(stream, 'drain');
}

/** What JSON.stringify would serialise for `value` under `key`: toJSON applied. */
function toJsonValue(value: unknown, key: string): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON: (k: string) => unknown }).toJSON(key);
  }
  return value;
}

/** JSON.stringify drops these as object members and writes null for them in arrays. */
function isAbsent(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

function* pieces(value: unknown, indent: string, depth: number, maxDepth: number, longArray: number): Generator<string, void, undefined> {
  if (value === null || typeof value !== 'object') {
    yield JSON.stringify(value) ?? 'null';
    return;
  }
  const walk = depth < maxDepth || (Array.isArray(value) && value.length >= longArray);
  if (!walk) {
    const text = JSON.stringify(value, null, 2);
    yield indent === '' ? text : text.replaceAll('\n', '\n' + indent);
    return;
  }
  const inner = indent + INDENT;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[\n';
    for (let i = 0; i < value.length; i++) {
      yield inner;
      const v = toJsonValue(value[i], String(i));
      if (isAbsent(v)) yield 'null';
      else yield* pieces(v, inner, depth + 1, maxDepth, longArray);
      yield i < value.length - 1 ? ',\n' : '\n';
    }
    yield indent + ']';
    return;
  }
  let first = true;
  for (const key of Object.keys(value)) {
    const v = toJsonValue((value as Record<string, unknown>)[key], key);
    if (isAbsent(v)) continue;
    yield first ? '{\n' : ',\n';
    first = false;
    yield inner + JSON.stringify(key) + ': ';
    yield* pieces(v, inner, depth + 1, maxDepth, longArray);
  }
  yield first ? '{}' : '\n' + indent + '}';
}
