/**
 * User-Agent / Server header (RFC 3261 §20.41, §20.35) → vendor, model, firmware, for the
 * endpoints inventory and per-device-type labels.
 *
 * Table-driven: the first rule whose pattern matches wins. Patterns are written against the
 * strings these products actually send (several are in the fixtures: AudioCodes "GW/v.6.20A…",
 * FreePBX "FPBX-14.0.13.4(13.27.0)", FreeSWITCH "FreeSWITCH-mod_sofia/1.6.12…", Linphone
 * "Linphonec/3.12.0 (belle-sip/1.6.3)", PJSUA, Huawei SoftX3000). Unknown strings give the
 * first token as vendor and what follows a "/" as firmware. Called once per distinct string
 * (callers cache), so regexes are fine here.
 */

export interface UserAgentInfo {
  vendor: string;
  model?: string;
  firmware?: string;
  raw: string;
}

interface Rule {
  re: RegExp;
  vendor: string;
  /** Capture group names used: model, fw. A fixed model when the product has one name. */
  model?: string;
}

/** The rules, most specific first. Groups: `model`, `fw`. */
const RULES: readonly Rule[] = [
  // PBXs and servers
  { re: /^FPBX-(?<fw>[\w.]+)(?:\((?<model>[\w.]+)\))?/, vendor: 'FreePBX' },
  { re: /^Asterisk(?: PBX)?[ /-]?(?<fw>\d[\w.~+-]*)?/i, vendor: 'Asterisk' },
  { re: /^FreeSWITCH(?:-mod_sofia)?\/?(?<fw>\d[\w.]*)?/i, vendor: 'FreeSWITCH' },
  { re: /^kamailio \((?<fw>[\w.-]+)/i, vendor: 'Kamailio' },
  { re: /^OpenSIPS \((?<fw>[\w.-]+)/i, vendor: 'OpenSIPS' },
  { re: /^OpenSER \((?<fw>[\w.-]+)/i, vendor: 'OpenSER' },
  { re: /^3CX(?:Phone)?(?: Phone System)?[ /]?(?<fw>\d[\w.]*)?/i, vendor: '3CX' },
  { re: /^Microsoft\.PSTNHub\.SIPProxy(?: v\.?(?<fw>[\w.]+))?/, vendor: 'Microsoft', model: 'Teams Direct Routing SIP proxy' },
  { re: /^Microsoft[- ]Teams(?:[ /](?<fw>[\w.]+))?/i, vendor: 'Microsoft', model: 'Teams' },
  { re: /^(?:RTCC|Microsoft-RTC|Microsoft UCMA|UCCAPI)\/(?<fw>[\w.]+)/, vendor: 'Microsoft', model: 'Skype for Business/Lync' },
  { re: /^Huawei (?<model>[\w-]+)(?: (?<fw>[\w.]+))?/, vendor: 'Huawei' },
  { re: /^(?:Sonus|Ribbon)[ _-]?(?<model>SBC[\w ]*?)?(?:[ /]V?(?<fw>\d[\w.]*))?$/i, vendor: 'Ribbon' },
  { re: /^(?:Oracle|Acme ?Packet)[ -]?(?<model>[\w-]+)?(?:[ /](?<fw>[\w.]+))?/i, vendor: 'Oracle' },
  { re: /^Sangoma[ -]?(?<model>[\w-]+)?(?:[ /]v?(?<fw>[\w.]+))?/i, vendor: 'Sangoma' },
  // AudioCodes: "AudioCodes-Sip-Gateway-MP-114 FXS/v.6.60A.343.004", "Mediant SW/v.7.20A.256.511",
  // and the bare "GW/v.6.20A.027.012" / "IPP/v.6.20A.027.012" of MP-11x and 4xxHD phones.
  { re: /^AudioCodes[- ](?:Sip-Gateway-)?(?<model>[\w -]+?)\/v\.(?<fw>[\w.]+)/i, vendor: 'AudioCodes' },
  { re: /^(?<model>Mediant[\w -]*|MP-?\d+[\w -]*|GW|IPP|SBC|M\d+[\w -]*)\/v\.(?<fw>\d+\.\d+A[\w.]*)/, vendor: 'AudioCodes' },
  { re: /^AVAYA-(?<model>SM|CM|ASM)-?(?<fw>[\w.]+)?/i, vendor: 'Avaya' },
  { re: /^Avaya (?<model>one-X Deskphone|CM|SIP R?[\w.]*|[\w-]+)(?:[ /](?<fw>[\w.]+))?/i, vendor: 'Avaya' },
  // Phones
  { re: /^Yealink (?<model>(?:SIP-|SIP VP-)?[\w-]+) (?<fw>[\d.]+)/i, vendor: 'Yealink' },
  { re: /^Poly(?:com)?(?<model>VVX|SoundPointIP|SoundStationIP|RealPresenceTrio|Trio|CCX|Edge[A-Z]?|Obi\w*)-(?<sub>[\w]+)-UA\/(?<fw>[\w.]+)/, vendor: 'Polycom' },
  { re: /^Poly\/(?<model>[\w-]+)[ /](?<fw>[\w.]+)/, vendor: 'Polycom' },
  { re: /^Cisco\/(?<model>SPA[\w-]+)-(?<fw>[\w.()]+)/i, vendor: 'Cisco' },
  { re: /^Linksys\/(?<model>SPA[\w-]+)-(?<fw>[\w.()]+)/i, vendor: 'Cisco' },
  { re: /^Cisco-(?<model>CP-?[\w-]+?)(?:-3PCC)?\/(?<fw>[\w.()-]+)/i, vendor: 'Cisco' },
  { re: /^Cisco-(?<model>SIPGateway|CUCM|CUBE)[ /-]?(?:IOS-)?(?<fw>[\w.()]+)?/i, vendor: 'Cisco' },
  { re: /^Cisco[ -](?<model>[\w-]+)(?:[ /](?<fw>[\w.()]+))?/i, vendor: 'Cisco' },
  { re: /^Grandstream (?<model>[\w-]+)(?: (?<fw>[\d.]+))?/i, vendor: 'Grandstream' },
  { re: /^snom ?(?<model>[\w-]+?)\/(?<fw>[\w.-]+)/i, vendor: 'Snom' },
  { re: /^Fanvil (?<model>[\w-]+)(?: (?<fw>[\d.]+))?/i, vendor: 'Fanvil' },
  { re: /^OBIHAI\/(?<model>OBi[\w-]+)-(?<fw>[\w.]+)/i, vendor: 'Obihai' },
  { re: /^(?<model>OBi\d+[\w-]*)\/(?<fw>[\w.]+)/i, vendor: 'Obihai' },
  { re: /^Mitel[- ](?<model>[\w-]+?)(?:-SIP-Phone)?[ /](?<fw>[\d.]+)/i, vendor: 'Mitel' },
  { re: /^Aastra[ -](?<model>[\w-]+)\/(?<fw>[\w.]+)/i, vendor: 'Mitel' },
  { re: /^Gigaset (?<model>[\w-]+)(?:[ /](?<fw>[\w.]+))?/i, vendor: 'Gigaset' },
  { re: /^Panasonic[_ -](?<model>[\w-]+)\/(?<fw>[\w.-]+)/i, vendor: 'Panasonic' },
  { re: /^Htek (?<model>[\w-]+) (?<fw>[\d.]+)/i, vendor: 'Htek' },
  { re: /^AVM (?<model>FRITZ!Box[\w ]*?)[ /](?<fw>[\w.]+)/i, vendor: 'AVM' },
  // Softphones and SIP stacks
  { re: /^Linphone(?<model>[\w ]*?)\/(?<fw>[\w.-]+)/i, vendor: 'Linphone' },
  { re: /^Zoiper(?:[ /]rv)?(?<fw>[\w.]+)?/i, vendor: 'Zoiper' },
  { re: /^Z (?<fw>\d[\w.]*)(?: rv[\w.]+)?$/, vendor: 'Zoiper' },
  { re: /^MicroSIP\/(?<fw>[\w.]+)/i, vendor: 'MicroSIP' },
  { re: /^baresip(?: v?(?<fw>[\w.]+))?/i, vendor: 'baresip' },
  { re: /^PJSUA v?(?<fw>[\w.]+)/i, vendor: 'pjsip', model: 'PJSUA' },
  { re: /^(?:pjsip|PJSIP)[ /-]?(?<model>[\w-]*?)[ /]?v?(?<fw>\d[\w.]*)?$/i, vendor: 'pjsip' },
  { re: /^(?:Bria|X-Lite|eyeBeam)(?: (?<model>[\w]+))?(?: release (?<fw>[\w.]+))?/i, vendor: 'CounterPath' },
  { re: /^Jitsi\/?(?<fw>[\w.]+)?/i, vendor: 'Jitsi' },
  { re: /^SIPp(?:\/(?<model>[\w]+))?/i, vendor: 'SIPp' },
  { re: /^sipsak (?<fw>[\w.]+)/i, vendor: 'sipsak' },
  { re: /^voipdiag(?:\/(?<fw>[\w.]+))?/i, vendor: 'voipdiag' },
  { re: /^Twilio Gateway/i, vendor: 'Twilio' },
];

function firstToken(s: string): { vendor: string; firmware?: string } {
  const t = s.trim();
  let end = 0;
  while (end < t.length && t[end] !== ' ' && t[end] !== '/' && t[end] !== '(') end++;
  const vendor = t.slice(0, end) || t;
  if (t[end] === '/') {
    let fEnd = end + 1;
    while (fEnd < t.length && t[fEnd] !== ' ' && t[fEnd] !== '(') fEnd++;
    const firmware = t.slice(end + 1, fEnd);
    return firmware ? { vendor, firmware } : { vendor };
  }
  return { vendor };
}

/** Identify the product behind a User-Agent or Server value. */
export function parseUserAgent(raw: string): UserAgentInfo {
  const s = raw.trim();
  for (const rule of RULES) {
    const m = rule.re.exec(s);
    if (!m) continue;
    const g = m.groups ?? {};
    const out: UserAgentInfo = { vendor: rule.vendor, raw };
    // Polycom's "VVX-VVX_411" names the family then the model: keep the model ("VVX 411").
    const model = (g.sub ? g.sub.replace(/_/g, ' ') : (rule.model ?? g.model))?.trim();
    if (model) out.model = model;
    if (g.fw) out.firmware = g.fw;
    return out;
  }
  return { ...firstToken(s), raw };
}
