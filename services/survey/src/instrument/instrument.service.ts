import { Injectable } from '@nestjs/common';
import { INSTRUMENT_CODE } from '@kkb/contracts';
import { ProblemException } from '@kkb/platform';
import { checkDefinition, type InstrumentDefinition } from './instrument-definition';
import type { Instrument } from './instrument.entity';
import { InstrumentRepository } from './instrument.repository';
import type { PublishInstrumentDto } from './publish-instrument.dto';

@Injectable()
export class InstrumentService {
  constructor(private readonly instruments: InstrumentRepository) {}

  list() {
    return this.instruments.list();
  }

  async latest(code: string): Promise<Instrument> {
    const row = await this.instruments.latest(code);
    if (!row) throw ProblemException.notFound(`Instrument ${code}`);
    return row;
  }

  async version(code: string, version: number): Promise<Instrument> {
    const loaded = await this.instruments.version(code, version);
    if (!loaded) throw ProblemException.notFound(`Version ${version} of instrument ${code}`);
    return loaded.row;
  }

  /** Publishes a new version: a new immutable row; submissions keep pointing at the one they answered. */
  async publish(code: string, dto: PublishInstrumentDto, publishedBy: string): Promise<Instrument> {
    const errors = checkDefinition(dto.definition);
    if (!INSTRUMENT_CODE.test(code) || code.length > 64)
      errors.unshift({ field: 'code', reason: 'instrument codes are lower-case words joined by hyphens' });
    const current = await this.instruments.latest(code);
    if (current && dto.kind && dto.kind !== current.kind)
      errors.push({ field: 'kind', reason: `instrument ${code} is a ${current.kind} instrument` });
    const kind = current?.kind ?? dto.kind;
    if (!kind) {
      // Either a new instrument (it needs its kind) or a mistyped code: say both.
      errors.push({ field: 'code', reason: `there is no instrument ${code} yet` });
      errors.push({ field: 'kind', reason: 'a new instrument needs its kind' });
    }
    if (errors.length || !kind) throw ProblemException.validation(errors);
    const published = await this.instruments.publishNext({
      code,
      kind,
      title: dto.title,
      definition: dto.definition as unknown as InstrumentDefinition,
      publishedBy,
    });
    if (!published)
      throw ProblemException.conflict(`another version of ${code} was published at the same time; retry`);
    return published;
  }
}
