import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { kampungRegisteredV1, provinceOf, type KampungStateV1 } from '@kkb/contracts';
import { OutboxService } from '@kkb/messaging';
import { ProblemException } from '@kkb/platform';
import { Kampung } from './kampung.entity';
import type { RegisterKampungDto } from './register-kampung.dto';

export function kampungState(k: Kampung): KampungStateV1 {
  return {
    kampungId: k.id,
    villageCode: k.villageCode,
    name: k.name,
    launchDate: k.launchDate,
    active: k.active,
    modelRegency: k.modelRegency,
    modelProvince: k.modelProvince,
    version: k.version,
    ...(k.mergedInto ? { mergedInto: k.mergedInto } : {}),
  };
}

@Injectable()
export class KampungService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  /** Registers a kampung; the row and its `kampung registered` event commit together. */
  async register(dto: RegisterKampungDto): Promise<Kampung> {
    const today = new Date().toISOString().slice(0, 10);
    if (dto.launchDate > today) {
      throw ProblemException.validation([
        { field: 'launchDate', reason: 'launchDate must not be in the future' },
      ]);
    }
    try {
      return await this.ds.transaction(async (manager) => {
        const kampung = manager.create(Kampung, {
          id: randomUUID(),
          villageCode: dto.villageCode,
          name: dto.name,
          launchDate: dto.launchDate,
          description: dto.description ?? null,
          active: true,
          modelRegency: dto.modelRegency ?? false,
          modelProvince: dto.modelProvince ?? false,
          mergedInto: null,
          version: 1,
        });
        await manager.insert(Kampung, kampung);
        await this.outbox.add(manager, kampungRegisteredV1, {
          subject: `kampung/${kampung.id}`,
          province: provinceOf(kampung.villageCode),
          data: kampungState(kampung),
        });
        return kampung;
      });
    } catch (err) {
      if ((err as { code?: string; constraint?: string }).constraint === 'kampung_active_village_key') {
        throw ProblemException.conflict(`village ${dto.villageCode} already has an active Kampung KB`, [
          { field: 'villageCode', reason: 'an active Kampung KB already exists in this village' },
        ]);
      }
      throw err;
    }
  }

  async get(id: string): Promise<Kampung> {
    const k = await this.ds.getRepository(Kampung).findOneBy({ id });
    if (!k) throw ProblemException.notFound(`Kampung ${id}`);
    return k;
  }
}
