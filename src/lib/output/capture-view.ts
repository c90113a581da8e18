import type { CaptureStatus } from '../tasks/capture.js';

/** The one-line live status of a capture (spinner text on a TTY, or a --progress line). */
export function captureStatusLine(s: CaptureStatus): string {
  const mos = s.worstMos === null ? '-' : s.worstMos.toFixed(2);
  const drops = s.dropped === null ? '?' : String(s.dropped);
  return (
    `${s.elapsedSec.toFixed(0)} s: ${s.frames} packets, ${s.sipMessages} SIP, ` +
    `calls ${s.activeCalls} active / ${s.finishedCalls} done, ${s.streams} RTP streams, worst MOS ${mos}, drops ${drops}`
  );
}
