/**
 * `hex` tagged template for annotated byte fixtures: whitespace and `//` comments are ignored.
 *   hex`45 00 00 1c   // IPv4, IHL 5, total length 28`
 */
export function hex(strings: TemplateStringsArray, ...values: unknown[]): Uint8Array {
  let src = '';
  strings.forEach((s, i) => {
    src += s;
    if (i < values.length) src += String(values[i]);
  });
  const digits = src
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, ''))
    .join('')
    .replace(/\s+/g, '');
  if (digits.length % 2 !== 0 || /[^0-9a-fA-F]/.test(digits)) throw new Error(`bad hex fixture: ${digits}`);
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return out;
}
