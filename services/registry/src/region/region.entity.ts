import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RegionKind } from './region-code';

@Entity({ name: 'region' })
export class Region {
  @PrimaryColumn({ type: 'text' })
  code!: string;

  @Column({ name: 'compact_code', type: 'text' })
  compactCode!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'search_name', type: 'text', select: false })
  searchName!: string;

  @Column({ type: 'smallint' })
  level!: number;

  @Column({ type: 'text' })
  kind!: RegionKind;

  @Column({ name: 'parent_code', type: 'text', nullable: true })
  parentCode!: string | null;

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ type: 'text', select: false })
  source!: string;
}
