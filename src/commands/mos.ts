import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import type { MosResult } from '../lib/mos/index.js';
import { renderMosView } from '../lib/output/mos-view.js';
import { runMosTask } from '../lib/tasks/mos.js';

export default class Mos extends BaseCommand {
  static override summary = 'Estimate call quality (R and MOS) with the ITU-T G.107 E-model.';

  static override description = `Computes the G.107 transmission rating R and MOS-CQE for a codec under the given packet loss, jitter and network delay, shows every G.107 term, and names the impairment that costs most.

Mouth-to-ear delay = network one-way delay (--delay) + jitter-buffer delay + packetisation (--ptime) + codec look-ahead. Jitter becomes extra loss through the jitter-buffer model: a fixed buffer of B ms discards packets whose delay variation exceeds B/2; the adaptive buffer tracks 3x the jitter (20-200 ms) and discards few. Loss is in percent. Codec values (Ie, Bpl) come from ITU-T G.113 Appendix I; codecs without published values (G.722, iLBC, Opus...) use documented substitutes and say so in a warning.

Quality bands: good (MOS >= 4.0), acceptable (3.5-4.0), poor (3.0-3.5), unacceptable (< 3.0).`;

  static override examples = [
    { description: 'G.711 with 150 ms network delay, 20 ms jitter and 2 % loss', command: '<%= config.bin %> <%= command.id %> --codec g711 --delay 150 --jitter 20 --loss 2' },
    { description: 'Bursty loss on G.729 behind a fixed 60 ms jitter buffer', command: '<%= config.bin %> <%= command.id %> --codec G729 --loss 3 --burst-ratio 1.5 --jitter 10 --jitter-buffer 60' },
    { description: 'G.711 without packet-loss concealment, as JSON', command: '<%= config.bin %> <%= command.id %> --codec PCMU --loss 1 --no-plc --json' },
    { description: 'Planning: a known 250 ms mouth-to-ear delay', command: '<%= config.bin %> <%= command.id %> --codec g711 --mouth-to-ear 250' },
  ];

  static override flags = {
    codec: Flags.string({ char: 'c', description: 'Codec: g711, g722, g729a, g723-6.3, g726-32, ilbc, gsm-fr, gsm-efr, opus, or an SDP/tshark name (PCMU, PCMA, g711U, G729, GSM...).', default: 'g711' }),
    delay: Flags.string({ char: 'd', description: 'Network one-way delay, ms.', default: '0' }),
    jitter: Flags.string({ char: 'j', description: 'Mean interarrival jitter (RFC 3550), ms.', default: '0' }),
    loss: Flags.string({ char: 'l', description: 'Packet loss, percent (0-100).', default: '0' }),
    'burst-ratio': Flags.string({ description: 'G.107 BurstR, >= 1 (1 = random loss).', default: '1' }),
    'jitter-buffer': Flags.string({ description: 'Jitter buffer: adaptive, fixed50, fixed200, or a fixed size in ms.', default: 'adaptive' }),
    ptime: Flags.string({ description: "Packetisation interval, ms (default: the codec's usual ptime)." }),
    'mouth-to-ear': Flags.string({ description: 'Known mouth-to-ear delay, ms: used as is instead of --delay + buffer + ptime + look-ahead.' }),
    plc: Flags.boolean({ description: 'Receiver conceals lost packets (--no-plc: G.711/G.722/G.726 without PLC).', default: true, allowNo: true }),
  };

  async run(): Promise<MosResult> {
    const { flags } = await this.parse(Mos);
    const { result, warnings } = runMosTask({
      codec: flags.codec,
      delay: flags.delay,
      jitter: flags.jitter,
      loss: flags.loss,
      burstRatio: flags['burst-ratio'],
      jitterBuffer: flags['jitter-buffer'],
      plc: flags.plc,
      ptime: flags.ptime,
      mouthToEar: flags['mouth-to-ear'],
    });
    this.addWarnings(warnings);
    if (!this.jsonEnabled()) {
      this.log(renderMosView(result, this.ui.colour));
      this.printWarnings();
    }
    return result;
  }
}
