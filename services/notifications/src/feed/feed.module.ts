import { Module } from '@nestjs/common';
import { FeedController } from './feed.controller';
import { FeedHead } from './feed-head';
import { FeedRepository } from './feed.repository';
import { FeedService } from './feed.service';

/** `GET /api/v1/events`: the events received (received_event), as a feed with a cursor. */
@Module({
  controllers: [FeedController],
  providers: [FeedRepository, FeedHead, FeedService],
})
export class FeedModule {}
