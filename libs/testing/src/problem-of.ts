import { ProblemException } from '@kkb/platform';

/**
 * The ProblemException a use case's promise rejects with; fails (throws) when it resolves or
 * rejects with anything else. For unit tests that call a service directly, without HTTP.
 */
export async function problemOf(p: Promise<unknown>): Promise<ProblemException> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof ProblemException) return err;
  throw new Error(`expected a ProblemException, got ${err === undefined ? 'a result' : String(err)}`);
}
