import { Module } from '@nestjs/common';
import { RuleSetModule } from '../rule-set/rule-set.module';
import { EvaluationRepository } from './evaluation.repository';
import { EvaluationService } from './evaluation.service';
import { SubmissionVerifiedHandler } from './submission-verified.handler';

/** A kampung's level from its verified reports: the event path (and the recomputation's core). */
@Module({
  imports: [RuleSetModule],
  controllers: [SubmissionVerifiedHandler],
  providers: [EvaluationRepository, EvaluationService],
  exports: [EvaluationService],
})
export class EvaluationModule {}
