import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Every platform event this service has taken in: the source of webhook deliveries and the inbox. */
@Entity({ name: 'received_event' })
export class ReceivedEvent {
  @PrimaryColumn({ name: 'event_id', type: 'text' })
  eventId!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ name: 'province_code', type: 'char', length: 2 })
  provinceCode!: string;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ type: 'jsonb' })
  event!: Record<string, unknown>;
}
