import { ApiProperty } from '@nestjs/swagger';

/** A platform event as this service received it (the row of received_event). */
export class ReceivedEventView {
  @ApiProperty() eventId!: string;
  @ApiProperty({ example: 'kkb.registry.kampung.registered.v1' }) type!: string;
  @ApiProperty({ example: '16', description: "Province of the event; '00' for national events" })
  provinceCode!: string;
  @ApiProperty() subject!: string;
  @ApiProperty({ type: String, format: 'date-time' }) occurredAt!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) receivedAt!: Date;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The whole CloudEvent' })
  event!: Record<string, unknown>;
}
