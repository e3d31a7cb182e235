import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..');

/** Lints one throwaway file placed inside a project; returns ESLint's exit code and output. */
function lintProbe(relPath: string, source: string): { code: number; output: string } {
  return lintProbes([[relPath, source]]);
}

/** Lints throwaway files placed inside projects in one ESLint run. */
function lintProbes(probes: [string, string][]): { code: number; output: string } {
  for (const [relPath, source] of probes) writeFileSync(path.join(root, relPath), source);
  try {
    const output = execFileSync('npx', ['eslint', '--no-warn-ignored', ...probes.map(([p]) => p)], {
      cwd: root,
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return { code: 0, output };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: `${e.stdout}${e.stderr}` };
  } finally {
    for (const [relPath] of probes) rmSync(path.join(root, relPath), { force: true });
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

  it('should fail lint when a library imports a library of its own layer or above', () => {
    // One ESLint run over one probe per layer (each run costs ~10 s).
    const probes: [string, string][] = [
      [
        'contracts',
        "import { ProblemException } from '@kkb/platform';\n\nexport const probe = ProblemException.name;\n",
      ],
      [
        'persistence',
        "import { provinceOf } from '@kkb/contracts';\n\nexport const probe = provinceOf('16');\n",
      ],
      [
        'platform',
        "import { OutboxService } from '@kkb/messaging';\n\nexport const probe = OutboxService.name;\n",
      ],
      [
        'messaging',
        "import { KampungProjectionModule } from '@kkb/kampung-projection';\n\nexport const probe = KampungProjectionModule.name;\n",
      ],
      ['bootstrap', "import { TestRun } from '@kkb/testing';\n\nexport const probe = TestRun.name;\n"],
    ];
    const res = lintProbes(
      probes.map(([lib, source]): [string, string] => [`libs/${lib}/src/boundary-probe.ts`, source]),
    );
    expect(res.code).toBe(1);
    for (const [lib] of probes) {
      const section = res.output
        .split(/\n(?=\/)/)
        .find((block) => block.includes(`libs/${lib}/src/boundary-probe.ts`));
      expect({ lib, flagged: /@nx\/enforce-module-boundaries/.test(section ?? '') }).toEqual({
        lib,
        flagged: true,
      });
    }
  });

  it('should pass lint when a library imports a layer below it', () => {
    const res = lintProbe(
      'libs/messaging/src/boundary-probe.ts',
      "import { schemaOf } from '@kkb/persistence';\n\nexport const probe = schemaOf.name;\n",
    );
    expect(res.output).not.toMatch(/enforce-module-boundaries/);
    expect(res.code).toBe(0);
  });

  it('should fail lint on SQL outside a repository, and pass it inside one', () => {
    const source =
      "import type { EntityManager } from 'typeorm';\n\nexport const probe = (m: EntityManager) => m.query('SELECT 1');\n";
    const res = lintProbes([
      ['services/survey/src/submission/sql-probe.ts', source],
      ['services/survey/src/submission/sql-probe.repository.ts', source],
    ]);
    const blockOf = (file: string) =>
      res.output.split(/\n(?=\/)/).find((block) => block.includes(file)) ?? '';
    expect(blockOf('sql-probe.ts')).toMatch(/SQL belongs in a repository/);
    expect(blockOf('sql-probe.repository.ts')).not.toMatch(/SQL belongs in a repository/);
  });
});
