import { readFileSync } from 'node:fs';
import path from 'node:path';

/** One region as a source lists it; the level follows from the code. */
export interface SourceRegion {
  code: string;
  name: string;
}

/** Where region codes come from: the `idn-area-data` package, or a test's own subset. */
export interface RegionSource {
  /** e.g. `idn-area-data@4.0.1`. */
  readonly name: string;
  load(): Promise<SourceRegion[]>;
}

interface IdnAreaData {
  getProvinces(): Promise<{ code: string; name: string }[]>;
  getRegencies(): Promise<{ code: string; name: string }[]>;
  getDistricts(): Promise<{ code: string; name: string }[]>;
  getVillages(): Promise<{ code: string; name: string }[]>;
}

/** Every level of the official Kemendagri codes, from the ESM-only `idn-area-data` package. */
export class IdnAreaDataSource implements RegionSource {
  readonly name: string;

  constructor(private readonly filter?: (code: string) => boolean) {
    let version = 'unknown';
    try {
      // The package exports no package.json; read the version beside its entry point.
      const main = require.resolve('idn-area-data');
      version = JSON.parse(readFileSync(path.join(path.dirname(main), '..', 'package.json'), 'utf8')).version;
    } catch {
      // keep 'unknown'
    }
    this.name = `idn-area-data@${version}`;
  }

  async load(): Promise<SourceRegion[]> {
    const data = (await import('idn-area-data')) as unknown as IdnAreaData;
    const [p, r, d, v] = await Promise.all([
      data.getProvinces(),
      data.getRegencies(),
      data.getDistricts(),
      data.getVillages(),
    ]);
    const all = [...p, ...r, ...d, ...v].map(({ code, name }) => ({ code, name }));
    const filter = this.filter;
    return filter ? all.filter((x) => filter(x.code)) : all;
  }
}
