import { Module } from '@nestjs/common';
import { EvaluationModule } from './evaluation/evaluation.module';
import { ExplainModule } from './explain/explain.module';
import { KampungLevelsModule } from './kampung-levels/kampung-levels.module';
import { LevelsModule } from './levels/levels.module';
import { RecomputeModule } from './recompute/recompute.module';
import { RuleSetModule } from './rule-set/rule-set.module';

/**
 * Classification's features, one module per folder: rule sets, evaluation (the event path),
 * recomputation, explanations, level aggregates and the kampung-level lists.
 */
@Module({
  imports: [
    RuleSetModule,
    EvaluationModule,
    RecomputeModule,
    ExplainModule,
    LevelsModule,
    KampungLevelsModule,
  ],
  exports: [EvaluationModule],
})
export class ClassificationModule {}
