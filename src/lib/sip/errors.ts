/**
 * Error codes of the SIP codec (STYLE.md rule 8). Tests compare `code`, never message text.
 *
 * Structural errors (the message cannot be framed or has no usable identity), returned by
 * `decodeSipMessage`:
 * - EMPTY: nothing but CRLF keep-alives (RFC 5626 §3.5.1) or no bytes at all.
 * - NO_HEADER_END: no empty line ends the header section (a truncated message or a stream
 *   that has not delivered the rest yet); `have` counts the bytes present.
 * - BAD_START_LINE: neither `Method SP Request-URI SP SIP-Version` nor
 *   `SIP-Version SP Status-Code SP Reason-Phrase` (RFC 3261 §7.1, §7.2).
 * - BAD_VERSION: a SIP-Version other than SIP/2.0 (RFC 3261 §8.2.2.1 wants 505 for it).
 * - BAD_STATUS_CODE: not three digits in 100–699 (RFC 3261 §7.2, §21).
 * - BAD_REQUEST_URI: the Request-URI is not an absolute URI, or contains LWS (RFC 3261 §7.1).
 * - BAD_HEADER_LINE: a header line with no colon or a name that is not a token (§7.3.1).
 * - BAD_CONTENT_LENGTH: Content-Length not 1*DIGIT (RFC 3261 §20.14), or two that disagree.
 * - BODY_TRUNCATED: Content-Length promises more bytes than are present; `need` is the whole
 *   message length from its first byte, `have` the bytes present.
 * - MISSING_MANDATORY: one of Call-ID, CSeq, From, To, Via is absent (RFC 3261 §8.1.1); the
 *   error's `header` names it.
 * - BAD_CSEQ: CSeq is not `1*DIGIT LWS Method` with a number below 2**31 (RFC 3261 §8.1.1.5).
 * - CSEQ_METHOD_MISMATCH: a request whose CSeq method differs from its method (RFC 3261 §8.1.1.5).
 *
 * Header-value errors, found when a typed accessor parses a header (and recorded as a defect on
 * the message), or returned by `decodeSipMessage(…, {strict: true})`:
 * - BAD_URI, BAD_NAME_ADDR, BAD_VIA, BAD_DATE, BAD_HEADER_VALUE (a scalar out of range, e.g.
 *   Max-Forwards > 255 or Expires > 2**32-1).
 */
export type SipErrorCode =
  | 'EMPTY'
  | 'NO_HEADER_END'
  | 'BAD_START_LINE'
  | 'BAD_VERSION'
  | 'BAD_STATUS_CODE'
  | 'BAD_REQUEST_URI'
  | 'BAD_HEADER_LINE'
  | 'BAD_CONTENT_LENGTH'
  | 'BODY_TRUNCATED'
  | 'MISSING_MANDATORY'
  | 'BAD_CSEQ'
  | 'CSEQ_METHOD_MISMATCH'
  | 'BAD_URI'
  | 'BAD_NAME_ADDR'
  | 'BAD_VIA'
  | 'BAD_DATE'
  | 'BAD_HEADER_VALUE';

export const SIP_LAYER = 'sip';

/**
 * A syntax defect found in a message that was still decoded (lax dissection, STYLE.md rule 11).
 * `code` is the error `decodeSipMessage` returns for it in strict mode; `header` is the canonical
 * lower-case name of the header it was found in (absent for the start line).
 */
export interface SipDefect {
  code: SipErrorCode;
  header?: string;
}
