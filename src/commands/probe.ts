import { Args, Errors, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { ExitCode } from '../lib/errors.js';
import { renderProbe, renderProbeLine } from '../lib/output/probe-view.js';
import { parseDurationMs } from '../lib/probe/duration.js';
import type { ProbeResult } from '../lib/probe/result.js';
import { runProbe } from '../lib/tasks/probe.js';

const bad = (msg: string) => Promise.reject(new Errors.CLIError(msg, { exit: 2 })); // a usage error (exit 2)
const duration = Flags.custom<number>({ parse: async (s) => parseDurationMs(s) ?? bad(`"${s}" is not a duration (e.g. 500ms, 2s, 1m)`) });
const num = Flags.custom<number>({ parse: async (s) => (s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : bad(`"${s}" is not a number`)) });

export default class Probe extends BaseCommand {
  static override summary = 'Probe SIP servers: OPTIONS ping, REGISTER with digest auth, or a synthetic call with RTP.';
  static override description =
    'Targets are sip:/sips: URIs or hosts, resolved with RFC 3263 (NAPTR, SRV, A/AAAA), over UDP, TCP or TLS, IPv4 or IPv6. ' +
    'Exit codes: 0 every target answered 2xx (or --expect); 4 no answer, unreachable or TLS failure; 5 a threshold was breached, ' +
    'authentication failed or the call was busy/rejected. The password is only read from --password-env (or asked on a terminal).';
  static override strict = false;
  static override examples = [
    '<%= config.bin %> <%= command.id %> sip:pbx.example.com',
    '<%= config.bin %> <%= command.id %> sip:10.0.0.5;transport=tcp sips:sbc.example.com --count 10 --interval 200ms',
    'SIP_PW=… <%= config.bin %> <%= command.id %> sip:pbx.example.com --register --user alice --password-env SIP_PW',
    '<%= config.bin %> <%= command.id %> sip:pbx.example.com --call sip:echo@pbx.example.com --duration 10s --min-mos 4',
    '<%= config.bin %> <%= command.id %> sip:pbx.example.com --watch --ndjson',
  ];
  static override args = { target: Args.string({ description: 'sip:host[:port][;transport=udp|tcp|tls], sips:host, or host (several allowed)' }) };
  static override flags = {
    count: Flags.integer({ char: 'c', description: 'OPTIONS probes per target', default: 4, min: 1, max: 100000 }),
    interval: duration({ char: 'i', description: 'time between probes, e.g. 200ms [default: 1s]' }),
    timeout: duration({ char: 't', description: 'wait this long for an answer, per request and to connect [default: 2s]' }),
    watch: Flags.boolean({ char: 'w', description: 'probe until Ctrl-C, a line per probe' }),
    ndjson: Flags.boolean({ description: 'with --watch: one JSON object per probe, then the summary' }),
    srv: Flags.boolean({ description: 'RFC 3263 NAPTR/SRV lookups (--no-srv: A/AAAA only)', default: true, allowNo: true }),
    ipv4: Flags.boolean({ description: 'IPv4 addresses only', exclusive: ['ipv6'] }),
    ipv6: Flags.boolean({ description: 'IPv6 addresses only' }),
    'source-ip': Flags.string({ description: 'local address to send from' }),
    'source-port': Flags.integer({ description: 'local port to send from', min: 1, max: 65535 }),
    'dns-server': Flags.string({ description: 'DNS server for the lookups (ip or ip:port)' }),
    insecure: Flags.boolean({ description: 'TLS: do not verify the server certificate (it is still shown)' }),
    'ca-file': Flags.string({ description: 'TLS: also trust this CA certificate (PEM)' }),
    expect: Flags.integer({ description: 'status code that counts as success (repeatable; default any 2xx)', multiple: true }),
    register: Flags.boolean({ description: 'REGISTER (digest auth) instead of OPTIONS', exclusive: ['call'] }),
    call: Flags.string({ description: 'place a synthetic call to this URI (e.g. sip:echo@host)' }),
    user: Flags.string({ char: 'u', description: 'user for From/To/AOR and digest auth' }),
    'auth-user': Flags.string({ description: 'digest username when it differs from --user' }),
    'password-env': Flags.string({ description: 'name of the environment variable holding the password' }),
    expires: Flags.integer({ description: 'REGISTER expiry to ask for, seconds', default: 300, min: 1 }),
    keep: Flags.boolean({ description: 'keep the registration (do not unregister afterwards)' }),
    duration: duration({ char: 'd', description: 'call media duration [default: 10s]' }),
    'ring-timeout': duration({ description: 'CANCEL the call if it is not answered by then [default: 30s]' }),
    audio: Flags.string({ description: 'send this WAV (8 kHz mono 16-bit PCM) instead of a tone' }),
    codec: Flags.string({ description: 'codec to offer, in preference order (repeatable)', options: ['pcmu', 'pcma'], multiple: true }),
    'max-rtt': num({ description: 'breach (exit 5) above this average RTT, ms' }),
    'max-loss': num({ description: 'breach above this loss, percent' }),
    'min-mos': num({ description: 'breach below this MOS (calls)' }),
    profile: Flags.string({ description: 'thresholds profile: default, ucaas, pbx, teams-direct-routing, or a YAML file' }),
  };

  async run(): Promise<ProbeResult> {
    const { argv, flags } = await this.parse(Probe);
    const abort = new AbortController();
    const onSigint = () => abort.abort(); // Ctrl-C ends --watch (and a call) cleanly; a second one kills
    process.once('SIGINT', onSigint);
    const live = flags.watch && !this.jsonEnabled();
    const { result, warnings, verdict } = await runProbe({
      targets: argv as string[],
      mode: flags.register ? 'register' : flags.call ? 'call' : 'options',
      count: flags.count, watch: flags.watch, intervalMs: flags.interval ?? 1000, timeoutMs: flags.timeout ?? 2000,
      noSrv: !flags.srv, family: flags.ipv4 ? 4 : flags.ipv6 ? 6 : undefined,
      sourceIp: flags['source-ip'], sourcePort: flags['source-port'], dnsServer: flags['dns-server'],
      insecure: flags.insecure, caFile: flags['ca-file'], expect: flags.expect,
      user: flags.user, authUser: flags['auth-user'], passwordEnv: flags['password-env'], promptPassword: !this.jsonEnabled(),
      expiresSec: flags.expires, keep: flags.keep,
      callUri: flags.call, durationMs: flags.duration ?? 10_000, ringTimeoutMs: flags['ring-timeout'] ?? 30_000, audioFile: flags.audio,
      codecs: flags.codec?.map((c) => c.toUpperCase() as 'PCMU' | 'PCMA'),
      profile: flags.profile, maxRttMs: flags['max-rtt'], maxLossPct: flags['max-loss'], minMos: flags['min-mos'],
      signal: abort.signal,
      onProbe: live ? (t, s) => process.stdout.write((flags.ndjson ? JSON.stringify({ type: 'probe', target: t.target, transport: t.transport, remote: t.remote, ...s }) : renderProbeLine(t, s, this.ui.colour)) + '\n') : undefined,
    }).finally(() => process.off('SIGINT', onSigint));
    this.addWarnings(warnings);
    if (verdict === 'breached') this.breach();
    if (verdict === 'network') {
      this.status = 'error';
      process.exitCode = ExitCode.network;
    }
    if (!this.jsonEnabled()) {
      process.stdout.write(flags.ndjson ? JSON.stringify({ type: 'summary', status: this.status, result }) + '\n' : renderProbe(result, this.ui.colour));
      this.printWarnings();
    }
    return result;
  }
}
