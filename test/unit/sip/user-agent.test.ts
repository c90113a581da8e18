/**
 * User-Agent / Server identification. Strings marked (fixture) occur in fixtures/public or
 * fixtures/lab captures; the others follow the formats these products document or send.
 */
import { describe, expect, it } from 'vitest';
import { parseUserAgent, type UserAgentInfo } from '../../../src/lib/sip/user-agent.js';

const CASES: [string, Omit<UserAgentInfo, 'raw'>][] = [
  ['GW/v.6.20A.027.012', { vendor: 'AudioCodes', model: 'GW', firmware: '6.20A.027.012' }], // fixture
  ['IPP/v.6.20A.027.012', { vendor: 'AudioCodes', model: 'IPP', firmware: '6.20A.027.012' }], // fixture
  ['Mediant SW/v.7.20A.256.511', { vendor: 'AudioCodes', model: 'Mediant SW', firmware: '7.20A.256.511' }],
  ['AudioCodes-Sip-Gateway-MP-114 FXS/v.6.60A.343.004', { vendor: 'AudioCodes', model: 'MP-114 FXS', firmware: '6.60A.343.004' }],
  ['FPBX-14.0.13.4(13.27.0)', { vendor: 'FreePBX', model: '13.27.0', firmware: '14.0.13.4' }], // fixture
  ['Asterisk PBX 18.10.0', { vendor: 'Asterisk', firmware: '18.10.0' }],
  ['Asterisk PBX certified/18.9-cert4', { vendor: 'Asterisk' }],
  ['FreeSWITCH-mod_sofia/1.6.12-20-b91a0a6~64bit', { vendor: 'FreeSWITCH', firmware: '1.6.12' }], // fixture
  ['kamailio (5.6.3 (x86_64/linux))', { vendor: 'Kamailio', firmware: '5.6.3' }],
  ['OpenSIPS (3.2.4 (x86_64/linux))', { vendor: 'OpenSIPS', firmware: '3.2.4' }],
  ['Yealink SIP-T46S 66.85.0.5', { vendor: 'Yealink', model: 'SIP-T46S', firmware: '66.85.0.5' }],
  ['Yealink W60B 77.85.0.25', { vendor: 'Yealink', model: 'W60B', firmware: '77.85.0.25' }],
  ['PolycomVVX-VVX_411-UA/5.9.5.0614', { vendor: 'Polycom', model: 'VVX 411', firmware: '5.9.5.0614' }],
  ['PolycomSoundPointIP-SPIP_650-UA/4.0.15.1009', { vendor: 'Polycom', model: 'SPIP 650', firmware: '4.0.15.1009' }],
  ['Cisco/SPA504G-7.6.2c', { vendor: 'Cisco', model: 'SPA504G', firmware: '7.6.2c' }],
  ['Linksys/SPA942-6.1.5(a)', { vendor: 'Cisco', model: 'SPA942', firmware: '6.1.5(a)' }],
  ['Cisco-CP-7841-3PCC/11.3.1', { vendor: 'Cisco', model: 'CP-7841', firmware: '11.3.1' }],
  ['Cisco-SIPGateway/IOS-15.6.3', { vendor: 'Cisco', model: 'SIPGateway', firmware: '15.6.3' }],
  ['Grandstream GXP2170 1.0.11.3', { vendor: 'Grandstream', model: 'GXP2170', firmware: '1.0.11.3' }],
  ['Grandstream HT801 1.0.27.2', { vendor: 'Grandstream', model: 'HT801', firmware: '1.0.27.2' }],
  ['snom D785/10.1.84.12', { vendor: 'Snom', model: 'D785', firmware: '10.1.84.12' }],
  ['snom320/8.7.5.35', { vendor: 'Snom', model: '320', firmware: '8.7.5.35' }],
  ['Linphonec/3.12.0 (belle-sip/1.6.3)', { vendor: 'Linphone', model: 'c', firmware: '3.12.0' }], // fixture
  ['Linphone Desktop/4.2.5 (Ubuntu 20.04)', { vendor: 'Linphone', model: 'Desktop', firmware: '4.2.5' }],
  ['Z 5.5.9 rv2.10.16.6', { vendor: 'Zoiper', firmware: '5.5.9' }],
  ['Zoiper rv2.8.40', { vendor: 'Zoiper', firmware: '2.8.40' }],
  ['MicroSIP/3.20.7', { vendor: 'MicroSIP', firmware: '3.20.7' }],
  ['baresip v2.0.0 (x86_64/linux)', { vendor: 'baresip', firmware: '2.0.0' }],
  ['PJSUA v1.12.0 Linux-4.19.57/armv6l/glibc-2.28', { vendor: 'pjsip', model: 'PJSUA', firmware: '1.12.0' }], // fixture
  ['AVAYA-SM-7.1.3.3.713304', { vendor: 'Avaya', model: 'SM', firmware: '7.1.3.3.713304' }],
  ['Avaya one-X Deskphone', { vendor: 'Avaya', model: 'one-X Deskphone' }],
  ['Mitel-5330e-SIP-Phone 5.0.0.1018', { vendor: 'Mitel', model: '5330e', firmware: '5.0.0.1018' }],
  ['Aastra 6867i/4.3.0.2036', { vendor: 'Mitel', model: '6867i', firmware: '4.3.0.2036' }],
  ['OBIHAI/OBi202-3.2.2.5921', { vendor: 'Obihai', model: 'OBi202', firmware: '3.2.2.5921' }],
  ['Fanvil X4U 2.12.1.5 0c383e1a2b3c', { vendor: 'Fanvil', model: 'X4U', firmware: '2.12.1.5' }],
  ['SIPp/Linux', { vendor: 'SIPp', model: 'Linux' }],
  ['Microsoft.PSTNHub.SIPProxy v.2023.3.9.1 i.EUNO.0', { vendor: 'Microsoft', model: 'Teams Direct Routing SIP proxy', firmware: '2023.3.9.1' }],
  ['Huawei SoftX3000 V300R011', { vendor: 'Huawei', model: 'SoftX3000', firmware: 'V300R011' }], // fixture
  ['3CX Phone System 18.0.1.237', { vendor: '3CX', firmware: '18.0.1.237' }],
  ['Bria 6 release 6.5.2', { vendor: 'CounterPath', model: '6', firmware: '6.5.2' }],
  ['SIPimp.org/0.2.5 (curses)', { vendor: 'SIPimp.org', firmware: '0.2.5' }],
  ['MyPhone', { vendor: 'MyPhone' }],
  ['Acme-Box (build 7)', { vendor: 'Acme-Box' }],
];

describe('parseUserAgent', () => {
  it.each(CASES)('%s', (raw, expected) => {
    expect(parseUserAgent(raw)).toEqual({ ...expected, raw });
  });
});
