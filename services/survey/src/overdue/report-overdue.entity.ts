import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A kampung's monthly report found overdue; the primary key makes its event exactly-once. */
@Entity({ name: 'report_overdue' })
export class ReportOverdue {
  @PrimaryColumn({ name: 'kampung_id', type: 'uuid' })
  kampungId!: string;

  @PrimaryColumn({ name: 'period_year', type: 'smallint' })
  periodYear!: number;

  @PrimaryColumn({ name: 'period_month', type: 'smallint' })
  periodMonth!: number;

  @Column({ name: 'village_code', type: 'text' })
  villageCode!: string;

  @Column({ name: 'due_date', type: 'date' })
  dueDate!: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'detected_at', type: 'timestamptz' })
  detectedAt!: Date;
}
