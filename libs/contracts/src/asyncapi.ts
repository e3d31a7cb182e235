import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Absolute path of the AsyncAPI 3.0 document that describes every channel for integrators. */
export const ASYNCAPI_PATH = path.join(__dirname, '..', 'asyncapi.yaml');

/** The AsyncAPI document as raw YAML text (serve it, or parse it with `@asyncapi/parser`). */
export function loadAsyncApi(): string {
  return readFileSync(ASYNCAPI_PATH, 'utf8');
}
