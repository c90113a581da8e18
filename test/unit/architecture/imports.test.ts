/**
 * STYLE.md rule 17: no circular imports, and imports flow one way (commands → tasks → engines →
 * codecs). scripts/check-cycles.js checks src/; the second case proves it catches both faults.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/cli.js';

const SCRIPT = join(ROOT, 'scripts', 'check-cycles.js');

describe('import graph', () => {
  it('src/ has no cycle and no upward import', () => {
    const out = execFileSync('node', [SCRIPT], { encoding: 'utf8' });
    expect(out).toMatch(/^\d{3,} modules, 0 import problems$/m);
  });

  it('the check reports a cycle and a codec importing a task', () => {
    const dir = mkdtempSync(join(tmpdir(), 'voipdiag-imports-'));
    mkdirSync(join(dir, 'lib', 'sip'), { recursive: true });
    mkdirSync(join(dir, 'lib', 'tasks'), { recursive: true });
    writeFileSync(join(dir, 'lib', 'sip', 'a.ts'), "import { b } from '../tasks/b.js';\nexport const a = b;\n");
    writeFileSync(join(dir, 'lib', 'tasks', 'b.ts'), "import { a } from '../sip/a.js';\nexport const b = 1;\nvoid a;\n");
    const r = spawnSync('node', [SCRIPT, dir], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('cycle: ');
    expect(r.stdout).toContain('upward import: lib/sip/a.ts (codec) imports lib/tasks/b.ts (task)');
  });
});
