/** RTCP datagrams of the public captures, from fixtures/derived/<capture>.rtcp.tsv. */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export interface RtcpDatagram {
  frame: number;
  arrivalSec: number;
  arrivalNsec: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  bytes: Uint8Array;
}

export function readRtcpDatagrams(capture: string): RtcpDatagram[] {
  const file = path.join(ROOT, 'fixtures/derived', `${capture}.rtcp.tsv`);
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const c = line.split('\t');
      return {
        frame: Number(c[0]),
        arrivalSec: Number(c[1]),
        arrivalNsec: Number(c[2]),
        src: c[3]!,
        srcPort: Number(c[4]),
        dst: c[5]!,
        dstPort: Number(c[6]),
        bytes: Uint8Array.from(Buffer.from(c[7]!, 'hex')),
      };
    });
}
