/**
 * The shape every decoder returns (STYLE.md rules 7–8): decoders never throw on bad bytes.
 * `end` is the offset just past what was consumed. Errors carry a stable `code` (a string union
 * in each protocol's errors module), the layer, the offset, and for truncation `need`/`have`.
 */
export interface DecodeError<C extends string = string> {
  code: C;
  layer: string;
  offset: number;
  need?: number;
  have?: number;
}

export type Decoded<T, C extends string = string> =
  | { ok: true; value: T; end: number }
  | { ok: false; error: DecodeError<C> };

export function ok<T>(value: T, end: number): { ok: true; value: T; end: number } {
  return { ok: true, value, end };
}

export function fail<C extends string>(
  code: C,
  layer: string,
  offset: number,
  need?: number,
  have?: number,
): { ok: false; error: DecodeError<C> } {
  const error: DecodeError<C> = { code, layer, offset };
  if (need !== undefined) error.need = need;
  if (have !== undefined) error.have = have;
  return { ok: false, error };
}
