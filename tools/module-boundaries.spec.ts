import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..');

/** Lints one throwaway file placed inside a project; returns ESLint's exit code and output. */
function lintProbe(relPath: string, source: string): { code: number; output: string } {
  const file = path.join(root, relPath);
  writeFileSync(file, source);
  try {
    const output = execFileSync('npx', ['eslint', '--no-warn-ignored', relPath], {
      cwd: root,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return { code: 0, output };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: `${e.stdout}${e.stderr}` };
  } finally {
    rmSync(file, { force: true });
  }
}

describe('module boundaries', () => {
  beforeAll(() => {
    // The rule needs Nx's cached project graph.
    execFileSync('npx', ['nx', 'show', 'projects'], {
      cwd: root,
      stdio: 'pipe',
      env: { ...process.env, NX_DAEMON: 'false' },
    });
  });

  it('should fail lint when a service imports another service', () => {
    const res = lintProbe(
      'services/survey/src/boundary-probe.ts',
      "import { registryService } from '../../registry/src/service';\n\nexport const probe = registryService.name;\n",
    );
    expect(res.code).toBe(1);
    expect(res.output).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('should fail lint when a shared library imports a service', () => {
    const res = lintProbe(
      'libs/contracts/src/boundary-probe.ts',
      "import { surveyService } from '../../../services/survey/src/service';\n\nexport const probe = surveyService.name;\n",
    );
    expect(res.code).toBe(1);
    expect(res.output).toMatch(/@nx\/enforce-module-boundaries/);
  });

  it('should pass lint when a service imports a shared library', () => {
    const res = lintProbe(
      'services/survey/src/boundary-probe.ts',
      "import { provinceOf } from '@kkb/contracts';\n\nexport const probe = provinceOf('16.10');\n",
    );
    expect(res.output).not.toMatch(/enforce-module-boundaries/);
    expect(res.code).toBe(0);
  });
});
