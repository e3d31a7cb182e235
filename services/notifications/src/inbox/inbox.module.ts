import { Module } from '@nestjs/common';
import { DigestService } from '../digest/digest.service';
import { InboxController } from './inbox.controller';
import { InboxRepository } from './inbox.repository';
import { InboxService } from './inbox.service';

/** The officers' inbox, their e-mail preferences and the digest job. */
@Module({
  controllers: [InboxController],
  providers: [InboxRepository, InboxService, DigestService],
  exports: [InboxRepository, DigestService],
})
export class InboxModule {}
