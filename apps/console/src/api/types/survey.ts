// Stand-in until `npm run openapi` writes src/api/generated/survey.ts: any path, untyped bodies.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type paths = Record<string, any>;
