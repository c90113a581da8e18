/**
 * startLab(): the usual loopback lab in one call — a free port plan (pickLabPorts), kamailio and
 * the sipp UAS peers. Picking free ports and binding them is not atomic: when another process
 * (another suite, scripts/make-lab-captures) binds the same ports in between, the start fails
 * with "Address already in use" / sipp exit 254; startLab then stops what it started and tries
 * the next free plan (up to `attempts` times).
 */
import { startKamailio, type KamailioHandle, type KamailioOptions } from './kamailio.js';
import { labPorts, pickLabPorts, type LabPorts, type UasKind } from './ports.js';
import { startSippUasSet, type SippUasHandle, type SippUasOptions } from './sipp.js';

export interface LabOptions {
  /** fixed plan (no search, no retry) */
  ports?: LabPorts;
  uas?: readonly UasKind[];
  kamailio?: Omit<KamailioOptions, 'ports'>;
  sipp?: Omit<SippUasOptions, 'ports'>;
  attempts?: number;
}

export interface Lab {
  ports: LabPorts;
  kamailio: KamailioHandle;
  uas: Partial<Record<UasKind, SippUasHandle>>;
  uasList: SippUasHandle[];
  /** ms from the call to everything ready */
  readyMs: number;
  stop(): Promise<{ stopMs: number }>;
}

const isBindClash = (e: unknown) => /already in use|cannot bind|errno = 98|exit 254/i.test(e instanceof Error ? e.message : String(e));

export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const t0 = Date.now();
  const attempts = opts.ports ? 1 : (opts.attempts ?? 4);
  let lastErr: unknown;
  for (let i = 0; i < attempts; i++) {
    const ports = opts.ports ?? (await pickLabPorts().catch(() => labPorts()));
    let kamailio: KamailioHandle | undefined;
    try {
      kamailio = await startKamailio({ ...opts.kamailio, ports });
      const set = await startSippUasSet(opts.uas ?? ['echo', 'busy', 'noanswer', 'options'], { ...opts.sipp, ports });
      const k = kamailio;
      const uas: Partial<Record<UasKind, SippUasHandle>> = {};
      for (const u of set.all) uas[u.kind] = u;
      let stopped: Promise<{ stopMs: number }> | null = null;
      return {
        ports,
        kamailio: k,
        uas,
        uasList: set.all,
        readyMs: Date.now() - t0,
        stop() {
          stopped ??= (async () => {
            const s0 = Date.now();
            await Promise.all([set.stop(), k.stop()]);
            return { stopMs: Date.now() - s0 };
          })();
          return stopped;
        },
      };
    } catch (e) {
      lastErr = e;
      await kamailio?.stop();
      if (!isBindClash(e) || opts.ports) throw e;
    }
  }
  throw lastErr;
}
