/**
 * The lab harness for voipdiag's integration tests: real kamailio and sipp peers on loopback,
 * tcpdump captures, network namespaces. Typical suite:
 *
 *   import { describe, beforeAll, afterAll, test, expect } from 'vitest';
 *   import { labAvailable, useLabSafetyNet, startLab, runSippUac, type Lab } from '../harness/index.js';
 *
 *   describe.skipIf(!labAvailable())('my suite', () => {
 *     useLabSafetyNet();                      // afterAll: kill whatever this process started
 *     let lab: Lab;
 *     beforeAll(async () => { lab = await startLab({ uas: ['echo', 'busy'] }); });
 *     afterAll(async () => { await lab?.stop(); });
 *     test('call', async () => {
 *       const r = await runSippUac('call', { service: 'echo', ports: lab.ports });
 *       expect(r.exitCode).toBe(0);
 *     });
 *   });
 *
 * Building blocks: startKamailio, startSippUas / startSippUasSet, runSippUac, startTcpdump,
 * sipOptions / sipRequest, createNetns / linkVeth / deleteNetns, labPorts / pickLabPorts.
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
