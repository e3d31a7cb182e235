import { Module } from '@nestjs/common';
import { EvaluationModule } from '../evaluation/evaluation.module';
import { RuleSetModule } from '../rule-set/rule-set.module';
import { RecomputeController } from './recompute.controller';
import { RecomputeRepository } from './recompute.repository';
import { RecomputeService } from './recompute.service';

/** Publishing a rule set and re-evaluating every kampung in the background. */
@Module({
  imports: [RuleSetModule, EvaluationModule],
  controllers: [RecomputeController],
  providers: [RecomputeRepository, RecomputeService],
})
export class RecomputeModule {}
