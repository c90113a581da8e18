import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { ExitCode, usageError } from '../lib/errors.js';
import { renderTrace } from '../lib/output/trace-view.js';
import { parseDurationMs } from '../lib/probe/duration.js';
import { runTrace, type TraceBackend } from '../lib/tasks/trace.js';
import type { TraceProto } from '../lib/trace/probe.js';
import type { TraceResult } from '../lib/trace/result.js';

export default class Trace extends BaseCommand {
  static override summary = 'Trace the path to a SIP server: per-hop loss, RTT and jitter, rate limiting told from loss, the SIP answer at the end.';
  static override description =
    'Sends SIP OPTIONS (default), UDP or ICMP echo probes with rising TTL, several rounds like mtr, and reports per hop the ' +
    'address, loss, last/best/avg/worst/stdev RTT, jitter and the ICMP message that answered. On Linux it needs no privileges ' +
    'for sip and udp (IP_RECVERR sockets, kernel timestamps); elsewhere it falls back to mtr or traceroute and says so. ' +
    'Exit 0 when the target answered, 4 when it never did, 5 when a threshold is breached.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> sip:pbx.example.com',
    '<%= config.bin %> <%= command.id %> 192.0.2.10 --proto udp --rounds 20 --interval 200ms',
    '<%= config.bin %> <%= command.id %> sbc.example.net --proto icmp -6 --json',
    '<%= config.bin %> <%= command.id %> sip:pbx.example.com --max-loss 1 --max-rtt 150 --ndjson',
  ];
  static override args = {
    target: Args.string({ description: 'host, IP address or sip: URI', required: true }),
  };
  static override flags = {
    proto: Flags.string({ description: 'probe kind', options: ['sip', 'udp', 'icmp'], default: 'sip' }),
    ipv4: Flags.boolean({ description: 'use IPv4', exclusive: ['ipv6'] }),
    ipv6: Flags.boolean({ description: 'use IPv6', exclusive: ['ipv4'] }),
    rounds: Flags.integer({ char: 'c', description: 'rounds of probes (mtr -c)', default: 10 }),
    interval: Flags.string({ char: 'i', description: 'time between rounds (e.g. 1s, 200ms)', default: '1s' }),
    'max-hops': Flags.integer({ char: 'm', description: 'highest TTL probed', default: 30 }),
    timeout: Flags.string({ char: 'w', description: 'wait for each probe’s answer (e.g. 2s)', default: '2s' }),
    port: Flags.integer({ char: 'p', description: 'UDP port (default 5060 for sip, 33434 for udp)' }),
    resolve: Flags.boolean({ description: 'show reverse DNS names of the hops', default: false }),
    ndjson: Flags.boolean({ description: 'one JSON object per round, then the result', exclusive: ['json'] }),
    'max-loss': Flags.string({ description: 'breach (exit 5) above this end-to-end loss, %' }),
    'max-rtt': Flags.string({ description: 'breach (exit 5) above this end-to-end average RTT, ms' }),
    profile: Flags.string({ description: 'thresholds profile: a built-in name or a YAML file' }),
    'step-ms': Flags.integer({ description: 'report a hop adding more than this over the previous one, ms', default: 30 }),
    backend: Flags.string({ description: 'how to probe: own sockets (ffi), mtr, traceroute, or auto', options: ['auto', 'ffi', 'mtr', 'traceroute'], default: 'auto' }),
  };

  async run(): Promise<TraceResult> {
    const { args, flags } = await this.parse(Trace);
    const ndjson = flags.ndjson;
    // Ctrl-C stops probing and reports the rounds done so far, like mtr
    const stop = new AbortController();
    const onInterrupt = () => stop.abort();
    process.once('SIGINT', onInterrupt);
    this.ui.startSpinner(`tracing ${args.target}`);
    const { result, warnings } = await runTrace({
      target: args.target,
      proto: flags.proto as TraceProto,
      family: flags.ipv4 ? 4 : flags.ipv6 ? 6 : 0,
      port: flags.port,
      rounds: flags.rounds,
      intervalMs: duration('interval', flags.interval),
      maxHops: flags['max-hops'],
      timeoutMs: duration('timeout', flags.timeout),
      resolve: flags.resolve,
      backend: flags.backend as TraceBackend,
      stepMs: flags['step-ms'],
      maxLossPct: number('max-loss', flags['max-loss']),
      maxRttMs: number('max-rtt', flags['max-rtt']),
      profile: flags.profile,
      onRound: ndjson ? (e) => process.stdout.write(JSON.stringify(e) + '\n') : (e) => this.ui.updateSpinner(`tracing ${args.target}: round ${e.round + 1}/${flags.rounds}`),
      onProgress: (text) => this.ui.updateSpinner(text),
      signal: stop.signal,
    }).finally(() => process.off('SIGINT', onInterrupt));
    this.ui.stopSpinner();
    this.addWarnings(warnings);
    if (result.thresholds.breaches.length > 0) this.breach();
    if (!result.destination.answered) {
      this.status = 'error';
      process.exitCode = ExitCode.network;
    }
    if (ndjson) process.stdout.write(JSON.stringify({ type: 'result', status: this.status, result, warnings: this.warnings }) + '\n');
    else if (!this.jsonEnabled()) process.stdout.write(renderTrace(result, this.ui.colour));
    this.printWarnings();
    return result;
  }
}

function duration(flag: string, text: string): number {
  const ms = parseDurationMs(text);
  if (ms === null) throw usageError('BAD_FLAG', `--${flag} ${text}: not a duration (e.g. 1s, 200ms)`);
  return ms;
}

function number(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw usageError('BAD_FLAG', `--${flag} ${text}: not a number`);
  return n;
}
