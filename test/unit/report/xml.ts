/**
 * A small strict XML 1.0 reader for the tests (no dependency for one format): prolog, elements,
 * quoted attributes, text, the five predefined entities and numeric references. Throws on
 * anything not well-formed (unbalanced tags, bare & or <, unquoted or duplicate attributes).
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.:-]*/;

function decodeEntities(s: string, at: number): string {
  return s.replace(/&([^;]*);?/g, (m, body: string) => {
    if (!m.endsWith(';')) throw new Error(`bare & near offset ${at}`);
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (named[body] !== undefined) return named[body];
    const n = /^#x([0-9a-f]+)$/i.exec(body) ? parseInt(body.slice(2), 16) : /^#\d+$/.test(body) ? parseInt(body.slice(1), 10) : NaN;
    if (Number.isNaN(n)) throw new Error(`unknown entity &${body}; near offset ${at}`);
    return String.fromCodePoint(n);
  });
}

export function parseXml(text: string): XmlElement {
  let i = 0;
  const skipWs = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end < 0) throw new Error('unterminated XML declaration');
    i = end + 2;
  }
  skipWs();
  const element = (): XmlElement => {
    if (text[i] !== '<') throw new Error(`expected < at ${i}`);
    i++;
    const name = NAME.exec(text.slice(i))?.[0];
    if (!name) throw new Error(`bad element name at ${i}`);
    i += name.length;
    const el: XmlElement = { name, attrs: {}, children: [], text: '' };
    for (;;) {
      skipWs();
      if (text.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (text[i] === '>') {
        i++;
        break;
      }
      const an = NAME.exec(text.slice(i))?.[0];
      if (!an) throw new Error(`bad attribute at ${i}`);
      i += an.length;
      if (text[i] !== '=' || text[i + 1] !== '"') throw new Error(`attribute ${an} not ="quoted" at ${i}`);
      const end = text.indexOf('"', i + 2);
      const raw = text.slice(i + 2, end);
      if (end < 0 || raw.includes('<')) throw new Error(`bad value of ${an} at ${i}`);
      if (an in el.attrs) throw new Error(`duplicate attribute ${an}`);
      el.attrs[an] = decodeEntities(raw, i);
      i = end + 1;
    }
    for (;;) {
      const lt = text.indexOf('<', i);
      if (lt < 0) throw new Error(`unclosed <${name}>`);
      el.text += decodeEntities(text.slice(i, lt), i);
      i = lt;
      if (text.startsWith('</', i)) {
        const close = `</${name}>`;
        if (!text.startsWith(close, i)) throw new Error(`expected ${close} at ${i}`);
        i += close.length;
        return el;
      }
      el.children.push(element());
    }
  };
  const root = element();
  skipWs();
  if (i !== text.length) throw new Error(`content after the root element at ${i}`);
  return root;
}

export function descendants(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...descendants(c, name)]);
}
