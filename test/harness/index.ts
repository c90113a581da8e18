/**
 * The lab harness for voipdiag's integration tests: real kamailio and sipp peers on loopback,
 * tcpdump captures, network namespaces. Typical suite:
 *
 *   import { describe, beforeAll, afterAll, test, expect } from 'vitest';
 *   import { labAvailable, useLabSafetyNet, pickLabPorts, startKamailio, startSippUasSet, runSippUac } from '../harness/index.js';
 *
 *   describe.skipIf(!labAvailable())('my suite', () => {
 *     useLabSafetyNet();
 *     let kam: KamailioHandle; let uas: Awaited<ReturnType<typeof startSippUasSet>>;
 *     beforeAll(async () => {
 *       const ports = await pickLabPorts();
 *       kam = await startKamailio({ ports });
 *       uas = await startSippUasSet(['echo', 'busy'], { ports });
 *     });
 *     afterAll(async () => { await uas?.stop(); await kam?.stop(); });
 *     test('...', async () => { const r = await runSippUac('call', { service: 'echo', ports }); ... });
 *   });
 *
 * Plain Node scripts import the modules directly (not this index, which pulls in vitest).
 */
export * from './env.js';
export * from './ports.js';
export * from './procs.js';
export * from './sip.js';
export * from './kamailio.js';
export * from './lab.js';
export * from './sipp.js';
export * from './tcpdump.js';
export * from './netns.js';
export * from './pcapfile.js';
export * from './vitest.js';
