/**
 * Error codes of the RTP codecs (STYLE.md rule 8). Tests compare `code`, never message text.
 *
 * - TRUNCATED: the buffer ends before the structure does; `need`/`have` are byte counts from
 *   the structure's first byte.
 * - BAD_VERSION: the two version bits are not 2 (RFC 3550 §5.1).
 * - BAD_PADDING: the P bit is set but the padding count is 0 or larger than what follows the
 *   header (RFC 3550 §5.1: the last octet counts itself).
 * - BAD_LENGTH: a field's value is out of its legal range (encoders: a list too long for its
 *   count field, a value too wide for its bits).
 */
export type RtpErrorCode = 'TRUNCATED' | 'BAD_VERSION' | 'BAD_PADDING' | 'BAD_LENGTH';

export const RTP_LAYER = 'rtp';
