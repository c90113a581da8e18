/**
 * Writes a generated capture as a classic pcap (Ethernet, µs timestamps) to a stream, in time
 * order, with bounded memory: jobs (calls, registrations, pings) are built only when the
 * simulated clock reaches them, and their frame sources are merged through a min-heap, so only
 * the calls in progress exist at any moment. Output goes through `PcapFileWriter` with
 * backpressure, so a 1.2 GB capture never sits in memory.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { PcapFileWriter, PCAP_FILE_HEADER_LENGTH, PCAP_RECORD_HEADER_LENGTH } from '../pcap/writer.js';
import { SourceHeap, type FrameSink, type FrameSource } from './frame-source.js';
import type { RtpStreamSource } from './rtp-source.js';
import {
  CAPTURE_START_EPOCH_SEC,
  buildCall,
  buildOptionsPing,
  buildRegistration,
  createWorld,
  resolveScenario,
  scheduleJobs,
  type CaptureScenarioInput,
} from './scenario.js';
import { SipCounts, type CallTruth, type CaptureTruth, type RegistrationTruth } from './truth.js';

export const GENERATOR_NAME = 'voipdiag-gen';
/** Bump whenever the bytes produced for a given scenario change (invalidates cached captures). */
export const GENERATOR_VERSION = '1.0.0';

const LINKTYPE_ETHERNET = 1;
const SNAPLEN = 65535;

export interface GenerateProgress {
  packets: number;
  bytes: number;
  /** Simulated time reached, seconds since capture start. */
  simulatedSec: number;
}

export interface WriteCaptureOptions {
  /** Called about every 65,536 packets. */
  onProgress?: (p: GenerateProgress) => void;
  /** Bytes per write to the stream. Default 1 MiB. */
  batchBytes?: number;
}

/** Generate the scenario's capture into `out` (which is ended), returning the ground truth. */
export async function writeCapture(
  input: CaptureScenarioInput,
  out: Writable,
  opts: WriteCaptureOptions = {},
): Promise<CaptureTruth> {
  const scenario = resolveScenario(input);
  const sipCounts = new SipCounts();
  const world = createWorld(scenario, sipCounts);
  const jobs = scheduleJobs(scenario);
  const writer = new PcapFileWriter(out, { linkType: LINKTYPE_ETHERNET, snaplen: SNAPLEN, batchBytes: opts.batchBytes ?? 1 << 20 });

  const calls: CallTruth[] = [];
  const registrations: RegistrationTruth[] = [];
  const rtpSources: RtpStreamSource[] = [];
  const heap = new SourceHeap();
  let uid = 0;
  const add = (src: FrameSource): void => {
    src.uid = uid++;
    heap.push(src);
  };

  let packets = 0;
  let frameBytes = 0;
  let mustDrain = false;
  const sink: FrameSink = (tUs, frame) => {
    const sec = Math.floor(tUs / 1e6);
    if (!writer.write(CAPTURE_START_EPOCH_SEC + sec, (tUs - sec * 1e6) * 1000, frame)) mustDrain = true;
    packets++;
    frameBytes += frame.length;
  };

  let sipFrames = 0;
  let next = 0;
  for (;;) {
    // Start every job whose first message is due before the earliest pending frame.
    while (next < jobs.length) {
      const job = jobs[next]!;
      const top = heap.peek();
      if (top !== undefined && job.tUs > top.tUs) break;
      next++;
      if (job.kind === 'call') {
        const call = buildCall(world, job.index, job.tUs);
        calls.push(call.truth);
        sipFrames += call.truth.sipMessages;
        add(call.sip);
        for (const stream of call.streams) {
          rtpSources.push(stream);
          if (stream.start()) add(stream);
        }
      } else if (job.kind === 'register') {
        const reg = buildRegistration(world, job.index, job.tUs);
        registrations.push(reg.truth);
        sipFrames += 4;
        add(reg.sip);
      } else {
        sipFrames += 2;
        add(buildOptionsPing(world, job.index, job.tUs));
      }
    }
    const top = heap.peek();
    if (top === undefined) break;
    top.emit(sink);
    if (top.advance()) heap.siftDownTop();
    else heap.pop();
    if ((packets & 0xffff) === 0 && opts.onProgress) {
      opts.onProgress({ packets, bytes: writer.bytesWritten, simulatedSec: top.tUs / 1e6 });
    }
    if (mustDrain) {
      mustDrain = false;
      await writer.drained();
    }
  }
  await writer.close();

  const streams = rtpSources.map((s) => s.truth());
  const callsByOutcome: Record<string, number> = {};
  for (const c of calls) callsByOutcome[c.outcome] = (callsByOutcome[c.outcome] ?? 0) + 1;
  const sum = (f: (s: (typeof streams)[number]) => number): number => streams.reduce((a, s) => a + f(s), 0);
  const sip = sipCounts.toJSON();
  if (sip.messages !== sipFrames) throw new Error(`generator: counted ${sip.messages} SIP messages but built ${sipFrames}`);
  return {
    generator: { name: GENERATOR_NAME, version: GENERATOR_VERSION },
    scenario,
    captureStartEpochSec: CAPTURE_START_EPOCH_SEC,
    packets: {
      total: packets,
      sip: sipFrames,
      rtp: packets - sipFrames,
      frameBytes,
      fileBytes: PCAP_FILE_HEADER_LENGTH + PCAP_RECORD_HEADER_LENGTH * packets + frameBytes,
    },
    sip,
    callsByOutcome: Object.fromEntries(Object.entries(callsByOutcome).sort(([a], [b]) => a.localeCompare(b))),
    optionsPings: scenario.optionsPings,
    rtp: {
      streams: streams.length,
      packetsSent: sum((s) => s.packetsSent),
      packetsDropped: sum((s) => s.packetsDropped),
      packetsCaptured: sum((s) => s.packetsCaptured),
      lostBySeq: sum((s) => s.lostBySeq),
    },
    calls,
    registrations,
    streams,
  };
}

export interface GenerateFileResult {
  truth: CaptureTruth;
  /** Wall time of the generation, seconds. */
  seconds: number;
}

/** Generate into `pcapPath` (and the truth JSON into `truthPath` when given). */
export async function generateCaptureFile(
  input: CaptureScenarioInput,
  pcapPath: string,
  truthPath?: string,
  opts: WriteCaptureOptions = {},
): Promise<GenerateFileResult> {
  const started = process.hrtime.bigint();
  const out = createWriteStream(pcapPath, { highWaterMark: 1 << 20 });
  const truth = await writeCapture(input, out, opts);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (truthPath !== undefined) await writeFile(truthPath, JSON.stringify(truth, null, 1) + '\n');
  return { truth, seconds };
}
