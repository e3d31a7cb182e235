import { Module } from '@nestjs/common';
import { DeadLetterAdminController } from './dead-letter-admin.controller';
import { DEAD_LETTER_AUDIT, DeadLetterAdminService } from './dead-letter-admin.service';
import { DeadLetterAuditRepository } from './dead-letter-audit.repository';
import { DeadLetterReplayClient } from './dead-letter-replay.client';

/**
 * The dead-letter admin API (`/api/v1/dead-letters`, national role). One service of the platform
 * imports it (notifications) and lists CreateDeadLetterAudit1764900000000 among its migrations:
 * the DLQ stream is shared by every service, so one API covers every consumer, and the front door
 * routes its one path prefix to that service. Replays are carried out by the consumer's own
 * service (DeadLetterReplayer, part of MessagingModule in every service).
 */
@Module({
  controllers: [DeadLetterAdminController],
  providers: [
    DeadLetterReplayClient,
    DeadLetterAdminService,
    DeadLetterAuditRepository,
    { provide: DEAD_LETTER_AUDIT, useExisting: DeadLetterAuditRepository },
  ],
})
export class DeadLetterAdminModule {}
