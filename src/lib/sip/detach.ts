/**
 * Strings cut out of a decoded SIP message are V8 "sliced strings": they keep the whole message
 * text alive. State that outlives the message (a call, its row, a registration, an endpoint)
 * keeps a detached copy instead: ' ' + s is flattened into a new string of s.length + 1 characters
 * by slice(1), so the result retains that copy, not the message. Short strings are copied by
 * slice anyway; the cost is one small allocation per kept field.
 */
export function detach(s: string): string;
export function detach(s: string | undefined): string | undefined;
export function detach(s: string | undefined): string | undefined {
  return s === undefined ? undefined : (' ' + s).slice(1);
}
