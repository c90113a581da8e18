/**
 * Error codes of the capture-file layer (pcap and pcapng). Tests compare `code`, never text.
 *
 * - BAD_MAGIC          the first bytes are not a pcap (a1b2c3d4 / a1b23c4d, either byte order)
 *                      or pcapng (SHB 0a0d0d0a + byte-order magic 1a2b3c4d) signature
 * - BAD_BYTE_ORDER     a later pcapng Section Header Block has no valid byte-order magic
 * - BAD_BLOCK_LENGTH   a pcapng block length is < 12, not a multiple of 4, or its trailing copy
 *                      differs from the leading one
 * - BAD_BLOCK          a block's fields do not fit inside the block (captured length too large)
 * - NO_INTERFACE       a packet block names an interface with no Interface Description Block
 * - RECORD_TOO_LARGE   a record or block claims more than MAX_RECORD_BYTES
 * - TRUNCATED          the input ends inside a header, record or block (need/have are set)
 */
export type PcapErrorCode =
  | 'BAD_MAGIC'
  | 'BAD_BYTE_ORDER'
  | 'BAD_BLOCK_LENGTH'
  | 'BAD_BLOCK'
  | 'NO_INTERFACE'
  | 'RECORD_TOO_LARGE'
  | 'TRUNCATED';

/** Largest record/block the reader accepts (256 MiB): anything larger is corruption. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;
