import { BaseServiceConfig, BoolEnv } from '@kkb/platform';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';

export class ClassificationConfig extends BaseServiceConfig {
  /** Kampung re-evaluated per transaction when a rule set is published (one batch = one commit). */
  @IsInt()
  @Min(1)
  @Max(20000)
  RECOMPUTE_BATCH_SIZE: number = 2000;

  /** Resume unfinished recomputation jobs at start (a replica that died mid-job leaves a cursor). */
  @BoolEnv()
  @IsBoolean()
  RECOMPUTE_RESUME: boolean = true;
}
