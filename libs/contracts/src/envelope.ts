import { IsTimestamp } from './dates';
import 'reflect-metadata'; // class-transformer's @Type reads design:type when the class is declared
import { Type } from 'class-transformer';
import {
  Equals,
  IsDefined,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';

/** CloudEvents 1.0, JSON structured mode, with the platform's extension attributes. */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  /** Unique per event; also the JetStream `Nats-Msg-Id`, so duplicate publishes are dropped. */
  id: string;
  /** URI-reference of the producing service, e.g. `/kkb/registry`. */
  source: string;
  /** `kkb.<producer>.<aggregate>.<past-verb>.v<major>`. */
  type: string;
  /** The aggregate the event is about, e.g. `kampung/6f1c…`. */
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: T;
  /** Id of the request or first event of the chain this event belongs to. */
  correlationid: string;
  /** Id of the request or event that directly caused this one. */
  causationid?: string;
  /** Two-digit province code, `00` for national events; the last token of the NATS subject. */
  province: string;
}

export const PROVINCE_TOKEN = /^\d{2}$/;
export const EVENT_TYPE = /^kkb\.[a-z]+\.[a-z-]+\.[a-z-]+\.v\d+$/;

/** Validates the envelope; the payload is validated against its contract separately. */
export class CloudEventEnvelope implements CloudEvent<Record<string, unknown>> {
  @Equals('1.0')
  specversion!: '1.0';

  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  id!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  source!: string;

  @IsString()
  @Matches(EVENT_TYPE, { message: 'type must look like kkb.<producer>.<aggregate>.<past-verb>.v<major>' })
  type!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  subject!: string;

  @IsTimestamp()
  time!: string;

  @IsIn(['application/json'])
  datacontenttype!: 'application/json';

  @IsDefined()
  @IsObject()
  @Type(() => Object)
  data!: Record<string, unknown>;

  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  correlationid!: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  causationid?: string;

  @Matches(PROVINCE_TOKEN, { message: 'province must be a 2-digit province code or 00' })
  province!: string;
}
