import type { SchemaAnnotations } from './asyncapi';

/**
 * Descriptions and examples for the generated payload schemas (libs/contracts/src/asyncapi.ts), by
 * payload class name and property. Only annotations live here: types, formats, patterns, limits and
 * required lists come from the classes' class-validator decorators, so they cannot drift. A
 * subclass inherits its base classes' entries. asyncapi.spec.ts fails on an entry that names a
 * class or property the schemas do not have.
 */
export const SCHEMA_ANNOTATIONS: Record<string, SchemaAnnotations> = {
  KampungStateV1: {
    description:
      "The kampung's register state as carried by every kampung event, so a consumer can build its projection from any one event without calling the registry.",
    properties: {
      villageCode: {
        description: 'Dotted Kemendagri village code; its first two digits are the province.',
        examples: ['16.10.05.2041'],
      },
      launchDate: {
        description: 'Calendar date (YYYY-MM-DD) the Kampung KB was launched.',
        examples: ['2019-03-12'],
      },
      modelRegency: {
        description: "The kampung is its regency's model Kampung KB.",
      },
      modelProvince: {
        description: "The kampung is its province's model Kampung KB.",
      },
      version: {
        description: 'Aggregate version; a projection ignores an event older than what it holds.',
      },
      latitude: {
        description: 'WGS 84 latitude, when the register has one (absent on older events).',
        examples: [-3.2415],
      },
      longitude: {
        description: 'WGS 84 longitude, when the register has one (absent on older events).',
        examples: [104.6518],
      },
    },
  },
  KampungUpdatedV1: {
    properties: {
      changed: {
        description: 'Names of the fields this change touched.',
      },
    },
  },
  RegionsImportedV1: {
    properties: {
      source: {
        description: 'Source of the codes, e.g. `idn-area-data@4.0.1`.',
      },
      active: {
        description: 'Active codes per level after the import.',
      },
    },
  },
  PeriodV1: {
    description: 'The month a submission is about; a profile is a snapshot as of that month.',
  },
  SubmissionRefV1: {
    description: 'What every submission event carries.',
    properties: {
      villageCode: {
        description: 'Dotted Kemendagri village code of the kampung; its first two digits are the province.',
        examples: ['16.10.05.2041'],
      },
      instrumentCode: {
        description: 'The instrument answered, `kampung-profile` or `monthly-report`.',
      },
      instrumentVersion: {
        description: 'The published instrument version the answers were given against.',
      },
    },
  },
  SubmissionSubmittedV1: {
    properties: {
      submittedBy: {
        description: "Subject of the officer's token.",
      },
      via: {
        description: 'One HTTP submission, or a row of a CSV import.',
      },
    },
  },
  SubmissionVerifiedV1: {
    properties: {
      answers: {
        description:
          "Every answer, keyed by the instrument's stable question id (services/survey/README.md lists them). Values are numbers, booleans, strings (text, dates `YYYY-MM-DD`, a single-choice code) or arrays of codes (multiple choice). Unanswered optional questions are absent.",
        additionalProperties: {
          oneOf: [
            {
              type: 'number',
            },
            {
              type: 'boolean',
            },
            {
              type: 'string',
            },
            {
              type: 'array',
              items: {
                type: 'string',
              },
            },
          ],
        },
      },
    },
  },
  ReportOverdueV1: {
    properties: {
      dueDate: {
        description: 'The last day the report was due (the 3rd of the next month), e.g. `2025-04-03`.',
      },
    },
  },
  ClassificationIndicesV1: {
    description:
      'The three index scores, each the mean of its indicator scores (1 to 4), two decimals; an index passes at 3.',
  },
  KampungClassifiedV1: {
    description:
      'A kampung was evaluated from its latest verified profile and monthly report under a rule set version. `previousLevel` is absent on the first evaluation. Only assessed kampung (with a verified profile) get this event.',
    properties: {
      changed: {
        description: 'Whether the level differs from the previous one (true on the first evaluation).',
      },
      profilePeriod: {
        description: 'The period of the verified profile used.',
      },
      reportPeriod: {
        description: 'The period of the verified monthly report used; absent when there is none yet.',
      },
      trigger: {
        description: 'A verified submission, or the recomputation after a rule set was published.',
      },
    },
  },
  DeliveryFailedV1: {
    properties: {
      eventId: {
        description: 'The `id` of the platform event that could not be delivered.',
      },
      lastStatus: {
        description: 'HTTP status of the last attempt; absent when it got no response.',
      },
    },
  },
  SubscriptionPausedV1: {
    properties: {
      owner: {
        description: 'Subject (`sub`) of the integrator that owns the subscription.',
      },
    },
  },
  CloudEventEnvelope: {
    description:
      "CloudEvents 1.0 envelope, JSON structured mode, with the platform's extension attributes `correlationid`, `causationid` and `province`. Each message narrows `type` and `data`.",
    properties: {
      id: {
        description: 'Unique per event; also the `Nats-Msg-Id` header. Use it as the idempotency key.',
      },
      source: {
        description: 'URI-reference of the producing service, e.g. `/kkb/registry`.',
        examples: ['/kkb/registry'],
      },
      type: {
        description:
          '`kkb.<producer>.<aggregate>.<past-verb>.v<major>`; the subject without its province token.',
      },
      subject: {
        description: 'The aggregate the event is about, e.g. `kampung/6f1c2b0e-3d4a-4c55-9a1e-2f7b8c9d0e1f`.',
      },
      time: {
        description: 'When the change happened (ISO 8601 / RFC 3339 timestamp, UTC).',
      },
      data: {
        description: 'The payload; its schema depends on `type`.',
      },
      correlationid: {
        description: 'Id of the request or first event of the chain this event belongs to.',
      },
      causationid: {
        description: 'Id of the request or event that directly caused this one.',
      },
      province: {
        description: 'Two-digit province code, `00` for national events; equal to the last subject token.',
      },
    },
  },
};
