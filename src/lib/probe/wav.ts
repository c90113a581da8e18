/**
 * RIFF/WAVE reader for `probe --audio`: 8000 Hz, mono, 16-bit linear PCM only (what G.711 needs
 * without resampling). Anything else is refused with a message that says what the file is and
 * how to convert it. Pure: the caller reads the file.
 *
 *   "RIFF" size "WAVE" { chunk id (4) | chunk size (4, LE) | data, padded to even }*
 *   fmt : format tag (1 = PCM, 0xFFFE = extensible) | channels | sample rate | byte rate |
 *         block align | bits per sample [| cb size | valid bits | channel mask | sub-format GUID]
 */
export type WavDecodeResult = { ok: true; samples: Int16Array } | { ok: false; message: string };

const CONVERT_HINT = 'convert it with: sox in.wav -r 8000 -c 1 -b 16 -e signed-integer out.wav';

function fourcc(buf: Uint8Array, at: number): string {
  return String.fromCharCode(buf[at] ?? 0, buf[at + 1] ?? 0, buf[at + 2] ?? 0, buf[at + 3] ?? 0);
}

export function decodeWav(buf: Uint8Array): WavDecodeResult {
  if (buf.length < 12 || fourcc(buf, 0) !== 'RIFF' || fourcc(buf, 8) !== 'WAVE') {
    return { ok: false, message: 'not a RIFF/WAVE file' };
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 12;
  let format: { tag: number; channels: number; rate: number; bits: number } | undefined;
  while (at + 8 <= buf.length) {
    const id = fourcc(buf, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) return { ok: false, message: 'truncated fmt chunk' };
      let tag = view.getUint16(body, true);
      if (tag === 0xfffe && size >= 40 && body + 26 <= buf.length) tag = view.getUint16(body + 24, true); // sub-format GUID's first two bytes
      format = { tag, channels: view.getUint16(body + 2, true), rate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      if (!format) return { ok: false, message: 'data chunk before the fmt chunk' };
      if (format.tag !== 1 || format.channels !== 1 || format.rate !== 8000 || format.bits !== 16) {
        const what = `${format.tag === 1 ? 'PCM' : `format 0x${format.tag.toString(16)}`}, ${format.channels} channel(s), ${format.rate} Hz, ${format.bits}-bit`;
        return { ok: false, message: `needs 8000 Hz mono 16-bit PCM, this file is ${what}; ${CONVERT_HINT}` };
      }
      const end = Math.min(buf.length, body + size);
      const count = Math.floor((end - body) / 2);
      if (count === 0) return { ok: false, message: 'the data chunk holds no samples' };
      const samples = new Int16Array(count);
      for (let i = 0; i < count; i++) samples[i] = view.getInt16(body + 2 * i, true);
      return { ok: true, samples };
    }
    at = body + size + (size % 2);
  }
  return { ok: false, message: format ? 'no data chunk' : 'no fmt chunk' };
}
