import { randomUUID } from 'node:crypto';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  kampungRegisteredV1,
  provinceOf,
  subjectFor,
  submissionVerifiedV1,
  type CloudEvent,
  type EventContract,
  type KampungStateV1,
  type SubmissionVerifiedV1,
} from '@kkb/contracts';
import { NatsConnectionService } from '@kkb/messaging';
import { startTestService, type TestRun, type TestService } from '@kkb/testing';
import type { Answers } from '../src/evaluation/evaluator';
import { classificationService } from '../src/service';

export interface Classification {
  svc: TestService;
  ds: DataSource;
  schema: string;
  /** Publishes a CloudEvent to JetStream as its producer would (id = Nats-Msg-Id unless given). */
  publish<T extends object>(ev: CloudEvent<T>, msgId?: string): Promise<void>;
  /** Publishes a kampung registered event (extra fields of the state override the defaults). */
  register(villageCode: string, id?: string, state?: Partial<KampungStateV1>): Promise<CloudEvent<object>>;
  verified(
    kampungId: string,
    villageCode: string,
    kind: 'profile' | 'monthly-report',
    period: { year: number; month: number },
    answers: Answers,
    verifiedAt?: string,
  ): CloudEvent<SubmissionVerifiedV1>;
}

function cloudEvent<T extends object>(
  contract: EventContract<T>,
  source: string,
  subject: string,
  province: string,
  data: T,
) {
  return {
    specversion: '1.0' as const,
    id: randomUUID(),
    source,
    type: contract.type,
    subject,
    time: new Date().toISOString(),
    datacontenttype: 'application/json' as const,
    data,
    correlationid: randomUUID(),
    province,
  };
}

export async function startClassification(
  run: TestRun,
  env: Record<string, string> = {},
): Promise<Classification> {
  const svc = await startTestService(run, classificationService, {
    messaging: { backoffMs: [300, 600, 1200], maxDeliver: 6 },
    env,
  });
  const ds = svc.app.get<DataSource>(getDataSourceToken());
  const js = svc.app.get(NatsConnectionService).js;
  const publish = async <T extends object>(ev: CloudEvent<T>, msgId?: string) => {
    await js.publish(subjectFor(ev.type, ev.province, run.subjectRoot), JSON.stringify(ev), {
      msgID: msgId ?? ev.id,
    });
  };
  return {
    svc,
    ds,
    schema: run.schema('classification'),
    publish,
    register: async (villageCode, id = randomUUID(), state = {}) => {
      const ev = cloudEvent(kampungRegisteredV1, '/kkb/registry', `kampung/${id}`, provinceOf(villageCode), {
        kampungId: id,
        villageCode,
        name: `Kampung KB ${villageCode}`,
        launchDate: '2022-03-14',
        active: true,
        modelRegency: false,
        modelProvince: false,
        version: 1,
        ...state,
      });
      await publish(ev);
      return ev;
    },
    verified: (kampungId, villageCode, kind, period, answers, verifiedAt = new Date().toISOString()) => {
      const submissionId = randomUUID();
      return cloudEvent(
        submissionVerifiedV1,
        '/kkb/survey',
        `submission/${submissionId}`,
        provinceOf(villageCode),
        {
          submissionId,
          kampungId,
          villageCode,
          instrumentCode: kind === 'profile' ? 'kampung-profile' : 'monthly-report',
          instrumentVersion: 1,
          kind,
          period,
          verifiedAt,
          verifiedBy: 'verifier-1610-0007',
          answers: answers as SubmissionVerifiedV1['answers'],
        },
      );
    },
  };
}
