import type { ChalkInstance } from 'chalk';
import type { Impairment, MosResult, QualityBand } from '../mos/index.js';
import { renderTable } from './table.js';

/**
 * `voipdiag mos` result → text: a summary table (R, MOS, band, dominant impairment, effective
 * loss, mouth-to-ear budget), the G.107 terms, and what each impairment costs. Pure: colour comes
 * in as a Chalk instance (level 0 in tests and without a TTY).
 */

const fmt = (n: number, digits = 2): string => n.toFixed(digits);

function bandColour(colour: ChalkInstance, band: QualityBand): (s: string) => string {
  switch (band) {
    case 'good':
      return colour.green;
    case 'acceptable':
      return colour.cyan;
    case 'poor':
      return colour.yellow;
    case 'unacceptable':
      return colour.red;
  }
}

const IMPAIRMENT_LABELS: Record<Impairment, string> = {
  codec: 'codec (Ie)',
  loss: 'network packet loss',
  jitter: 'jitter (buffer discards + buffer delay)',
  delay: 'delay (network + packetisation + look-ahead)',
};

export function renderMosView(result: MosResult, colour: ChalkInstance): string {
  const { inputs: i, terms: t, delayBudget: d, jitterBuffer: jb } = result;
  const paint = bandColour(colour, result.band);
  const dominant =
    result.dominant === 'none'
      ? 'none (no impairment costs 3 R points or more)'
      : `${result.dominant} (${fmt(result.impairments[result.dominant], 1)} R points)`;
  const bufferText =
    jb.kind === 'adaptive' ? `adaptive, ${fmt(jb.delayMs, 0)} ms playout delay` : `fixed ${fmt(jb.sizeMs ?? 0, 0)} ms`;

  const summary = renderTable(
    [{ header: 'Metric' }, { header: 'Value' }],
    [
      ['R', paint(fmt(result.r, 1))],
      ['MOS (CQE)', paint(fmt(result.mos, 2))],
      ['Quality', paint(result.band)],
      ['Dominant impairment', dominant],
      ['Codec', `${i.codecName}: Ie ${fmt(i.ie, 0)}, Bpl ${fmt(i.bpl, 1)}${i.plc ? '' : ' (no PLC)'}`],
      [
        'Effective loss',
        `${fmt(result.effectiveLossPct)} % (network ${fmt(i.lossPct)} %, jitter-buffer discards ${fmt(jb.discardPct)} %, BurstR ${fmt(i.burstRatio)})`,
      ],
      ['Jitter buffer', `${bufferText}; jitter ${fmt(i.jitterMs, 1)} ms`],
      [
        'Mouth-to-ear delay',
        d === null
          ? `${fmt(result.mouthToEarMs, 1)} ms (given)`
          : `${fmt(result.mouthToEarMs, 1)} ms = network ${fmt(d.networkMs, 1)} + buffer ${fmt(d.jitterBufferMs, 1)} + packetisation ${fmt(d.packetisationMs, 1)} + look-ahead ${fmt(d.lookaheadMs, 1)}`,
      ],
    ],
  );

  const terms = renderTable(
    [{ header: 'G.107 term' }, { header: 'Value', align: 'right' }, { header: 'Meaning' }],
    [
      ['Ro', fmt(t.ro), 'basic signal-to-noise ratio'],
      ['Is', fmt(t.is), 'simultaneous impairments = Iolr + Ist + Iq'],
      ['  Iolr', fmt(t.iolr), 'overall loudness'],
      ['  Ist', fmt(t.ist), 'sidetone'],
      ['  Iq', fmt(t.iq), 'quantisation'],
      ['Id', fmt(t.id), 'delay impairments = Idte + Idle + Idd'],
      ['  Idte', fmt(t.idte), 'talker echo'],
      ['  Idle', fmt(t.idle), 'listener echo'],
      ['  Idd', fmt(t.idd), 'absolute delay'],
      ['Ie', fmt(t.ie), 'codec, no loss'],
      ['Ie,eff', fmt(t.ieEff), 'codec with packet loss'],
      ['A', fmt(t.a), 'advantage factor'],
      ['R', fmt(result.r), 'Ro − Is − Id − Ie,eff + A'],
    ],
  );

  const costs = renderTable(
    [{ header: 'Impairment' }, { header: 'Cost (R points)', align: 'right' }, { header: '' }],
    (['delay', 'loss', 'codec', 'jitter'] as const).map((k) => [
      IMPAIRMENT_LABELS[k],
      fmt(result.impairments[k]),
      result.dominant === k ? 'dominant' : '',
    ]),
  );

  return [summary, terms, costs].join('\n');
}
