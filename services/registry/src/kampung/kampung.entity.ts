import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A Kampung KB in the register: at most one active per village. Written through KampungRepository. */
@Entity({ name: 'kampung' })
export class Kampung {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** Dotted Kemendagri village code, e.g. `16.10.05.2041`. */
  @Column({ name: 'village_code', type: 'text' })
  villageCode!: string;

  @Column({ type: 'text' })
  name!: string;

  /** Date of the *pencanangan* (launch). */
  @Column({ name: 'launch_date', type: 'date' })
  launchDate!: string;

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ name: 'model_regency', type: 'boolean' })
  modelRegency!: boolean;

  @Column({ name: 'model_province', type: 'boolean' })
  modelProvince!: boolean;

  @Column({ name: 'merged_into', type: 'uuid', nullable: true })
  mergedInto!: string | null;

  /** Optimistic-concurrency version, also the events' aggregate version. */
  @Column({ type: 'int' })
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
