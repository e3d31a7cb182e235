import { Module } from '@nestjs/common';
import { RuleSetModule } from '../rule-set/rule-set.module';
import { ClassificationController } from './classification.controller';
import { ExplainService } from './explain.service';

/** A kampung's level with every indicator, band and score, and its history. */
@Module({
  imports: [RuleSetModule],
  controllers: [ClassificationController],
  providers: [ExplainService],
})
export class ExplainModule {}
