import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureDrops, runAnalyze } from '../../../src/lib/tasks/analyze.js';
import { FIXTURES } from '../../helpers/truth.js';

describe('capture drops from pcapng interface statistics', () => {
  it('a dumpcap capture reports what its ISB says (168 received, 0 dropped)', async () => {
    const { result, warnings } = await runAnalyze({ files: [join(FIXTURES, 'lab', 'call_lo.pcapng')], rtpHeuristic: true });
    expect(result.capture.drops).toEqual({ received: 168, dropped: 0, source: 'pcapng interface statistics' });
    expect(warnings).toEqual([]);
  });

  it('sums interfaces and files; isb_osdrop counts as dropped; unknown received stays unknown', () => {
    expect(
      captureDrops([
        { interfaceDrops: [{ received: 100, dropped: 2, osDropped: 1 }] },
        { interfaceDrops: [{ received: null, dropped: 4, osDropped: null }] },
      ]),
    ).toEqual({ received: null, dropped: 7, source: 'pcapng interface statistics' });
    expect(captureDrops([{}, { interfaceDrops: [] }])).toBeUndefined();
  });
});
