import { Module } from '@nestjs/common';
import { InboxController } from './inbox.controller';
import { InboxRepository } from './inbox.repository';
import { InboxService } from './inbox.service';

/** The officers' inbox and their e-mail preferences. */
@Module({
  controllers: [InboxController],
  providers: [InboxRepository, InboxService],
  exports: [InboxRepository],
})
export class InboxModule {}
