// Every key in one language's catalogue exists in the other's, in every namespace, and no
// message is empty. Plural forms (_one/_other) count as the same key.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = __dirname;
const languages = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

function flatten(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      for (const [kk, vv] of flatten(v, prefix ? `${prefix}.${k}` : k)) out.set(kk, vv);
    }
  } else {
    out.set(prefix, value);
  }
  return out;
}

const PLURAL = /_(zero|one|two|few|many|other)$/;

function keysOf(lang: string, ns: string): Map<string, unknown> {
  const file = path.join(dir, lang, `${ns}.json`);
  return flatten(JSON.parse(readFileSync(file, 'utf8')));
}

function namespacesOf(lang: string): string[] {
  return readdirSync(path.join(dir, lang))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

describe('message catalogues', () => {
  it('has Bahasa Indonesia and English', () => {
    expect(languages).toEqual(['en', 'id']);
  });

  it('has the same namespaces in every language', () => {
    expect(namespacesOf('en')).toEqual(namespacesOf('id'));
  });

  const namespaces = [...new Set(languages.flatMap(namespacesOf))];
  describe.each(namespaces)('namespace %s', (ns) => {
    it('has the same keys in id and en', () => {
      const normal = (lang: string) =>
        [...new Set([...keysOf(lang, ns).keys()].map((k) => k.replace(PLURAL, '')))].sort();
      const id = normal('id');
      const en = normal('en');
      expect({
        missingInEn: id.filter((k) => !en.includes(k)),
        missingInId: en.filter((k) => !id.includes(k)),
      }).toEqual({ missingInEn: [], missingInId: [] });
    });

    it('has no empty or non-string messages', () => {
      for (const lang of languages) {
        const bad = [...keysOf(lang, ns)]
          .filter(([, v]) => typeof v !== 'string' || v.trim() === '')
          .map(([k]) => k);
        expect({ lang, bad }).toEqual({ lang, bad: [] });
      }
    });
  });
});
