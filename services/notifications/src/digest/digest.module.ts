import { Module } from '@nestjs/common';
import { InboxModule } from '../inbox/inbox.module';
import { DigestRepository } from './digest.repository';
import { DigestService } from './digest.service';

/** E-mail digests of new inbox items. */
@Module({ imports: [InboxModule], providers: [DigestService, DigestRepository], exports: [DigestService] })
export class DigestModule {}
