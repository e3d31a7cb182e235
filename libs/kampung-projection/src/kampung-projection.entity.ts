import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A service's own copy of the Kampung KB register, built from registry events. */
@Entity({ name: 'kampung_projection' })
export class KampungProjection {
  @PrimaryColumn({ name: 'kampung_id', type: 'uuid' })
  kampungId!: string;

  @Column({ name: 'village_code', type: 'text' })
  villageCode!: string;

  @Column({ name: 'province_code', type: 'char', length: 2 })
  provinceCode!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'launch_date', type: 'date' })
  launchDate!: string;

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ name: 'model_regency', type: 'boolean', default: false })
  modelRegency!: boolean;

  @Column({ name: 'model_province', type: 'boolean', default: false })
  modelProvince!: boolean;

  /** WGS 84; null when the register has no coordinates. */
  @Column({ type: 'double precision', nullable: true })
  latitude!: number | null;

  @Column({ type: 'double precision', nullable: true })
  longitude!: number | null;

  @Column({ name: 'merged_into', type: 'uuid', nullable: true })
  mergedInto!: string | null;

  @Column({ type: 'int' })
  version!: number;

  @Column({ name: 'last_event_id', type: 'text' })
  lastEventId!: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
