export default async function globalTeardown() {
  const g = /** @type {import('./jest-global-setup.mjs').TestGlobals} */ (globalThis);
  const started = g.__KKB_INFRA__ ?? [];
  g.__KKB_INFRA__ = undefined;
  for (const s of started.reverse()) await s.stop();
}
