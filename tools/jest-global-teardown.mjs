export default async function globalTeardown() {
  const started = globalThis.__KKB_INFRA__ ?? [];
  globalThis.__KKB_INFRA__ = undefined;
  for (const s of started.reverse()) await s.stop();
}
