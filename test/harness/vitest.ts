/**
 * vitest glue: `useLabSafetyNet()` registers an afterAll (in the calling file's root suite, or
 * the current describe) that stops every process this test process started and still runs,
 * and deletes the namespaces it created. Call it once at the top of each lab suite. (Kept apart
 * from the rest of the harness so plain Node scripts can import the harness without vitest.)
 */
import { afterAll } from 'vitest';
import { killAllStarted } from './procs.js';

export function useLabSafetyNet(): void {
  afterAll(async () => {
    const left = await killAllStarted();
    if (left.length > 0) {
      console.warn(`lab safety net stopped ${left.length} process(es) left running: ${left.map((p) => `${p.name}[${p.pid}]`).join(', ')}`);
    }
  }, 30_000);
}
