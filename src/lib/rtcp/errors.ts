/**
 * Error codes of the RTCP codecs (STYLE.md rule 8). Tests compare `code`, never message text.
 *
 * - TRUNCATED: the buffer ends before the packet does (`need`/`have` in bytes from the
 *   packet's first byte; `need` is what the length field, or the 4-byte header, asks for).
 * - BAD_VERSION: version bits not 2 (RFC 3550 §6.4.1).
 * - WRONG_TYPE: a packet-type decoder was handed another packet type.
 * - BAD_PADDING: P set with a padding count of 0 or larger than the packet body.
 * - BAD_LENGTH: the length field and the content disagree (report blocks, chunks, items or
 *   XR blocks that do not fit), or an encoder was given a value too wide for its field.
 */
export type RtcpErrorCode = 'TRUNCATED' | 'BAD_VERSION' | 'WRONG_TYPE' | 'BAD_PADDING' | 'BAD_LENGTH';

export const RTCP_LAYER = 'rtcp';
