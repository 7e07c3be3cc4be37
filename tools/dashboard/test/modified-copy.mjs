// A copy of tools/dashboard (node_modules linked) inside a temporary repository root, with monitoring.config.mjs
// edited by `edit`: `node generate.mjs` there writes the rules, thresholds.json and the dashboard under the copy.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('..', import.meta.url));

export function withModifiedConfig(edit, body) {
  const root = mkdtempSync(join(tmpdir(), 'monitoring-config-'));
  try {
    const dir = join(root, 'tools', 'dashboard');
    cpSync(here, dir, { recursive: true, filter: (src) => !src.includes('node_modules') });
    symlinkSync(join(here, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const config = join(dir, 'monitoring.config.mjs');
    const before = readFileSync(config, 'utf8');
    const after = edit(before);
    writeFileSync(config, after);
    return body({ root, dir, changed: before !== after });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
