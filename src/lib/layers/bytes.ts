/**
 * Big- and little-endian integer reads over a Uint8Array, for the layer decoders' hot paths.
 * They do not check bounds: callers check the length first and never pass offsets past the
 * end (an out-of-range byte would read as undefined and corrupt the result).
 */

/** Unsigned 8-bit. */
export function u8(b: Uint8Array, o: number): number {
  return b[o]!;
}

/** Unsigned 16-bit, network byte order. */
export function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

/** Unsigned 16-bit, little-endian. */
export function u16le(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

/** Unsigned 32-bit, network byte order (0..2^32-1). */
export function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** Unsigned 32-bit, little-endian (0..2^32-1). */
export function u32le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/** Unsigned 48-bit, network byte order (a MAC address as a number; exact below 2^53). */
export function u48(b: Uint8Array, o: number): number {
  return u16(b, o) * 0x1_0000_0000 + u32(b, o + 2);
}
