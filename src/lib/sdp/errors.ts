/**
 * Error codes of the SDP decoder (STYLE.md rule 8). Tests compare `code`, never message text.
 *
 * - EMPTY: no lines at all.
 * - NOT_SDP: the first line is not "v=" (RFC 4566 §5: v= comes first), e.g. a body that is not
 *   SDP despite its Content-Type.
 * - BAD_MEDIA_LINE: an m= line that is not `media port[/count] proto fmt…` (RFC 4566 §5.14).
 * - BAD_CONNECTION: a c= line that is not `nettype addrtype address[/ttl][/count]` (§5.7).
 *
 * `offset` is the character offset of the offending line. Other malformed lines (a=, b=, t=…)
 * are not errors: they are skipped and counted in `SessionDescription.skippedLines`.
 */
export type SdpErrorCode = 'EMPTY' | 'NOT_SDP' | 'BAD_MEDIA_LINE' | 'BAD_CONNECTION';

export const SDP_LAYER = 'sdp';
