import { Module } from '@nestjs/common';
import { EvaluationRepository } from './evaluation/evaluation.repository';
import { EvaluationService } from './evaluation/evaluation.service';
import { SubmissionVerifiedHandler } from './evaluation/submission-verified.handler';
import { ClassificationController } from './explain/classification.controller';
import { ExplainService } from './explain/explain.service';
import { KampungLevelsController } from './kampung-levels/kampung-levels.controller';
import { KampungLevelsRepository } from './kampung-levels/kampung-levels.repository';
import { KampungLevelsService } from './kampung-levels/kampung-levels.service';
import { LevelsController } from './levels/levels.controller';
import { LevelsService } from './levels/levels.service';
import { RecomputeRepository } from './recompute/recompute.repository';
import { RecomputeService } from './recompute/recompute.service';
import { RuleSetController } from './rule-set/rule-set.controller';
import { RuleSetRepository } from './rule-set/rule-set.repository';
import { RuleSetService } from './rule-set/rule-set.service';

/** Rule sets, evaluation (event path and recomputation), explanations and aggregates. */
@Module({
  controllers: [RuleSetController, ClassificationController, LevelsController, KampungLevelsController],
  providers: [
    RuleSetRepository,
    RuleSetService,
    EvaluationRepository,
    EvaluationService,
    SubmissionVerifiedHandler,
    RecomputeRepository,
    RecomputeService,
    ExplainService,
    LevelsService,
    KampungLevelsRepository,
    KampungLevelsService,
  ],
  exports: [SubmissionVerifiedHandler],
})
export class ClassificationModule {}
