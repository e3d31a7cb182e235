import type { SubmissionKind } from '@kkb/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { InstrumentDefinition } from './instrument-definition';

/** One published version of an instrument; never updated (a trigger refuses it). */
@Entity({ name: 'instrument' })
export class Instrument {
  @PrimaryColumn({ type: 'text' })
  code!: string;

  @PrimaryColumn({ type: 'int' })
  version!: number;

  @Column({ type: 'text' })
  kind!: SubmissionKind;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'jsonb' })
  definition!: InstrumentDefinition;

  @Column({ name: 'published_at', type: 'timestamptz' })
  publishedAt!: Date;

  @Column({ name: 'published_by', type: 'text' })
  publishedBy!: string;
}
