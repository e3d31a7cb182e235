import { Module } from '@nestjs/common';
import { KampungProjectionModule } from '@kkb/kampung-projection';
import { InstrumentModule } from '../instrument/instrument.module';
import { SubmissionController } from './submission.controller';
import { SubmissionRepository } from './submission.repository';
import { SubmissionService } from './submission.service';

@Module({
  imports: [InstrumentModule, KampungProjectionModule],
  controllers: [SubmissionController],
  providers: [SubmissionRepository, SubmissionService],
  exports: [SubmissionService],
})
export class SubmissionModule {}
