/**
 * A small JSON Schema (2020-12 subset) checker for our own schemas: type, const, enum, required,
 * properties, items, oneOf, $ref to #/$defs, minimum, maximum. It is strict on purpose: an object
 * property that the schema does not declare is an error, so schema and output cannot drift apart.
 * Returns the list of problems as "path: message" strings (empty when valid).
 */
type Schema = Record<string, unknown>;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

export function checkJsonSchema(root: Schema, data: unknown): string[] {
  const problems: string[] = [];
  const resolve = (s: Schema): Schema => {
    const ref = s.$ref;
    if (typeof ref !== 'string') return s;
    const name = ref.replace('#/$defs/', '');
    const defs = root.$defs as Record<string, Schema>;
    const target = defs[name];
    if (!target) throw new Error(`unresolved ${ref}`);
    return target;
  };
  const walk = (schemaIn: Schema, v: unknown, path: string): void => {
    const s = resolve(schemaIn);
    if ('const' in s && v !== s.const) problems.push(`${path}: expected ${JSON.stringify(s.const)}`);
    if (Array.isArray(s.enum) && !s.enum.includes(v)) problems.push(`${path}: ${JSON.stringify(v)} not in enum`);
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      const t = typeOf(v);
      if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) {
        problems.push(`${path}: type ${t}, expected ${types.join('|')}`);
        return;
      }
    }
    if (Array.isArray(s.oneOf)) {
      const results = (s.oneOf as Schema[]).map((alt) => checkJsonSchema({ $defs: root.$defs, ...alt }, v));
      const matches = results.filter((r) => r.length === 0).length;
      if (matches > 1) problems.push(`${path}: matches ${matches} of oneOf`);
      if (matches === 0) {
        // Report the problems of the closest alternative of the right type, re-rooted at this path.
        const sameType = results.filter((r) => !r.some((p) => p.startsWith('$: type ')));
        const pool = sameType.length > 0 ? sameType : results;
        const closest = pool.reduce((a, b) => (b.length < a.length ? b : a));
        for (const p of closest) problems.push(p.replace(/^\$/, path));
      }
    }
    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && v < s.minimum) problems.push(`${path}: ${v} < ${s.minimum}`);
      if (typeof s.maximum === 'number' && v > s.maximum) problems.push(`${path}: ${v} > ${s.maximum}`);
    }
    if (Array.isArray(v) && s.items) v.forEach((x, i) => walk(s.items as Schema, x, `${path}[${i}]`));
    if (typeOf(v) === 'object') {
      const obj = v as Record<string, unknown>;
      for (const k of (s.required as string[] | undefined) ?? []) if (!(k in obj)) problems.push(`${path}: missing ${k}`);
      const props = s.properties as Record<string, Schema> | undefined;
      if (props) {
        for (const [k, x] of Object.entries(obj)) {
          const ps = props[k];
          if (ps) walk(ps, x, `${path}.${k}`);
          else problems.push(`${path}: undeclared property ${k}`);
        }
      }
    }
  };
  walk(root, data, '$');
  return problems;
}
