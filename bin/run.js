#!/usr/bin/env -S node --max-semi-space-size=8
// --max-semi-space-size=8: V8's young generation capped at 8 MB per semi-space. Measured on the
// 5.3 M-packet bench capture: peak RSS 158 → 143–148 MB at the same speed (the default lets the
// young generation grow to 16 MB+ under the per-packet view allocations).
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
