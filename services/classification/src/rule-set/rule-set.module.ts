import { Module } from '@nestjs/common';
import { RuleSetController } from './rule-set.controller';
import { RuleSetRepository } from './rule-set.repository';
import { RuleSetService } from './rule-set.service';

/** Rule set versions: drafts, definitions, the published one. */
@Module({
  controllers: [RuleSetController],
  providers: [RuleSetRepository, RuleSetService],
  exports: [RuleSetRepository, RuleSetService],
})
export class RuleSetModule {}
