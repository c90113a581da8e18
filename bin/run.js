#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=25
// Node flags, measured (same speed within the noise unless said):
// --max-semi-space-size=4: V8's young generation capped at 4 MB per semi-space (the default
//   grows it to 16 MB and more): analyze of the 5.3 M-packet bench capture peak RSS 121 → 114 MB
//   against 8 MB; live capture of 40,000 sipp calls replayed at 5,000 calls/s 144 → 135 MB.
// --heap-growing-percent=25: old space grows by 25 % steps instead of V8's ~2× for a steady live
//   set with garbage flowing through: the live capture above 138 → 131 MB; analyze of 40,000
//   calls 191 → 164 MB (for ~20 % more CPU on that SIP-only file; none on the bench capture).
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
