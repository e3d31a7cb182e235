import { Module } from '@nestjs/common';
import { RuleSetModule } from '../rule-set/rule-set.module';
import { ClassificationController } from './classification.controller';
import { ExplainRepository } from './explain.repository';
import { ExplainService } from './explain.service';

/** A kampung's level with every indicator, band and score, and its history. */
@Module({
  imports: [RuleSetModule],
  controllers: [ClassificationController],
  providers: [ExplainRepository, ExplainService],
})
export class ExplainModule {}
