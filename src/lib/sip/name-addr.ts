/**
 * name-addr / addr-spec values of From, To, Contact, Route, Record-Route, Reply-To,
 * P-Asserted-Identity… — RFC 3261 §20.10 and §25.1:
 *
 *     ( name-addr / addr-spec ) *( SEMI param )
 *     name-addr    = [ display-name ] LAQUOT addr-spec RAQUOT
 *     display-name = *( token LWS ) / quoted-string
 *
 * In the addr-spec form (no < >) the URI ends at the first ";": what follows are header
 * parameters, not URI parameters (RFC 3261 §20.10), which is why a URI containing ",", ";" or
 * "?" must be enclosed in < > (RFC 4475 §3.1.2.13 regbadct).
 *
 * Lax by design: a display name with non-token characters (§3.1.2.15 baddn), spaces inside
 * < > (§3.1.2.14 badaspec), "?" in an addr-spec or an empty parameter still give a value, with
 * `defect` set; an unterminated quote, a missing ">" or a URI that does not parse do not.
 */
import { fail, ok, type Decoded } from '../result.js';
import { SIP_LAYER, type SipErrorCode } from './errors.js';
import { isLws, isTokenChar, NO_PARAMS, parseGenericParams, quotedStringEnd, trimLws, unquote } from './headers.js';
import { isUnbracketedIpv6, parseSipUri, type SipUri } from './uri.js';

export interface NameAddr {
  /** Display name: a quoted-string's content with quoted-pairs resolved, or the tokens as written. */
  displayName?: string;
  uri: SipUri;
  /** The `tag` header parameter (From/To). */
  tag?: string;
  /** Header parameters (after ">" or after an addr-spec): names lower-cased, "" when valueless. */
  params: Record<string, string>;
  /** Contact: * (RFC 3261 §10.2.2, a REGISTER removing all bindings). `uri` is then empty. */
  star?: boolean;
  /** The value as given (one list element for Contact/Route/Record-Route). */
  raw: string;
}

/** Outcome of the lax parse: a value (possibly with a defect), or nothing. */
export interface NameAddrParse {
  value?: NameAddr;
  /** The value is syntactically invalid (set with or without `value`). */
  defect: boolean;
}

const STAR_URI: SipUri = Object.freeze({ scheme: '', host: '', params: NO_PARAMS, headers: NO_PARAMS, raw: '*' });

/** The Contact "*" value. */
export function starContact(): NameAddr {
  return { uri: STAR_URI, params: NO_PARAMS, star: true, raw: '*' };
}

function displayNameIsTokens(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isTokenChar(c) && !isLws(c)) return false;
  }
  return true;
}

/** Lax parse of one name-addr / addr-spec with its parameters. Never throws. */
export function parseNameAddrLax(input: string): NameAddrParse {
  const s = trimLws(input);
  let defect = false;
  let displayName: string | undefined;
  let i = 0;
  let uriText: string;
  let paramsAt: number;

  if (s.length === 0) return { defect: true };
  if (s.charCodeAt(0) === 0x22) {
    const e = quotedStringEnd(s, 0);
    if (e < 0) return { defect: true };
    displayName = unquote(s.slice(0, e));
    i = e;
    while (i < s.length && isLws(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== 0x3c) return { defect: true };
  } else {
    const lt = s.indexOf('<');
    if (lt >= 0) {
      const dn = trimLws(s.slice(0, lt));
      if (dn.length > 0) {
        if (!displayNameIsTokens(dn)) defect = true;
        displayName = dn;
      }
      i = lt;
    } else {
      i = -1; // addr-spec form
    }
  }

  if (i >= 0) {
    const gt = s.indexOf('>', i + 1);
    if (gt < 0) return { defect: true };
    const inner = s.slice(i + 1, gt);
    uriText = trimLws(inner);
    if (uriText.length !== inner.length) defect = true;
    paramsAt = gt + 1;
  } else {
    const semi = s.indexOf(';');
    uriText = trimLws(semi < 0 ? s : s.slice(0, semi));
    paramsAt = semi < 0 ? s.length : semi;
    if (uriText.indexOf('?') >= 0 || uriText.indexOf(',') >= 0) defect = true;
  }
  const uri = parseSipUri(uriText); // rejects LWS inside the URI

  if (!uri.ok) return { defect: true };
  if (isUnbracketedIpv6(uri.value)) defect = true;
  const p = parseGenericParams(s, paramsAt);
  if (p.bad) defect = true;
  const value: NameAddr = { uri: uri.value, params: p.params, raw: s };
  if (displayName !== undefined) value.displayName = displayName;
  const tag = p.params.tag;
  if (tag !== undefined && tag !== '') value.tag = tag;
  return { value, defect };
}

/**
 * Parse one name-addr / addr-spec with its parameters. Lax by default (see the module comment);
 * with `strict`, any defect is an error. Errors are BAD_NAME_ADDR at offset 0.
 */
export function parseNameAddr(s: string, opts: { strict?: boolean } = {}): Decoded<NameAddr, SipErrorCode> {
  const r = parseNameAddrLax(s);
  if (!r.value || (opts.strict && r.defect)) return fail<SipErrorCode>('BAD_NAME_ADDR', SIP_LAYER, 0);
  return ok(r.value, s.length);
}
