import { Controller, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { submissionVerifiedV1, type CloudEvent, type SubmissionVerifiedV1 } from '@kkb/contracts';
import { EventPatternOf, type EventContext } from '@kkb/messaging';
import { periodDate } from '../common/schema';
import { RuleSetService } from '../rule-set/rule-set.service';
import { EvaluationRepository } from './evaluation.repository';
import { EvaluationService } from './evaluation.service';

/**
 * A verified profile or monthly report: keep it if it is the kampung's latest, evaluate the
 * kampung with the rule set in force and publish `kampung classified`, all in the consumer's
 * transaction (with the inbox row, so a redelivery changes nothing).
 */
@Controller()
export class SubmissionVerifiedHandler {
  private readonly logger = new Logger(SubmissionVerifiedHandler.name);

  constructor(
    private readonly repo: EvaluationRepository,
    private readonly evaluations: EvaluationService,
    private readonly ruleSets: RuleSetService,
  ) {}

  @EventPatternOf(submissionVerifiedV1)
  async onVerified(
    @Payload() event: CloudEvent<SubmissionVerifiedV1>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    const manager = ctx.getManager();
    const d = event.data;
    const stored = await this.repo.lockAndStoreLatest(manager, {
      kampungId: d.kampungId,
      kind: d.kind,
      submissionId: d.submissionId,
      period: periodDate(d.period),
      verifiedAt: d.verifiedAt,
      instrumentCode: d.instrumentCode,
      instrumentVersion: d.instrumentVersion,
      verifiedBy: d.verifiedBy,
      answers: d.answers,
    });
    if (stored === 'unknown-kampung') {
      // The registry event may still be on its way: retried with backoff, dead-lettered at max_deliver.
      throw new Error(`kampung ${d.kampungId} is not in the projection yet`);
    }
    if (stored === 'older') {
      this.logger.log(
        { kampungId: d.kampungId, submissionId: d.submissionId },
        'verified submission older than the one in use; nothing to evaluate',
      );
      return;
    }
    const ruleSet = await this.ruleSets.current(manager);
    // Every evaluation a submission causes is published, changed or not.
    await this.evaluations.evaluateAndStore(manager, [d.kampungId], ruleSet, 'submission', {
      publish: () => true,
    });
  }
}
