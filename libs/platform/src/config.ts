import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
  type ValidationError,
} from 'class-validator';

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; reason: string; value: unknown }[]) {
    super(
      'Invalid configuration:\n' +
        problems
          .map(
            (p) =>
              `  ${p.variable}: ${p.reason} (got ${p.value === undefined ? 'nothing' : JSON.stringify(p.value)})`,
          )
          .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

function toBool(value: unknown): unknown {
  if (value === undefined || typeof value === 'boolean') return value;
  const v = String(value).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return value;
}

// Reads the raw value: implicit conversion would already have turned 'false' into true.
export const BoolEnv = () =>
  Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => toBool(obj[key]));

/** Variables every service reads. Each service extends this with its own. */
export class BaseServiceConfig {
  /** 0 picks a free port (tests). */
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT!: number;

  @IsString()
  HOST: string = '0.0.0.0';

  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_URL!: string;

  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be a lower-case SQL identifier' })
  DATABASE_SCHEMA!: string;

  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be a lower-case SQL identifier' })
  DATABASE_ROLE!: string;

  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE: number = 10;

  @BoolEnv()
  @IsBoolean()
  MIGRATIONS_RUN: boolean = true;

  @Matches(/^(nats|tls|wss?):\/\/[^,\s]+(,(nats|tls|wss?):\/\/[^,\s]+)*$/, {
    message: 'must be a nats:// URL or a comma-separated list of them',
  })
  NATS_URL!: string;

  /** User of the service's NATS account (deploy/nats/accounts.conf); unset: no authentication. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'must be a NATS user name (letters, digits, _ . -)' })
  NATS_USER?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  NATS_PASSWORD?: string;

  @IsInt()
  @Min(1)
  @Max(5)
  NATS_STREAM_REPLICAS: number = 1;

  @Matches(/^[a-z][a-z0-9_-]{0,30}$/, { message: 'must be a lower-case subject token' })
  EVENT_SUBJECT_ROOT: string = 'kkb';

  @Matches(/^[A-Z][A-Z0-9_]{0,30}$/, { message: 'must be an upper-case stream name prefix' })
  EVENT_STREAM_PREFIX: string = 'KKB';

  @IsInt()
  @Min(1)
  @Max(3650)
  EVENT_RETENTION_DAYS: number = 90;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  JWT_SECRET?: string;

  @IsOptional()
  @IsString()
  @Matches(/-----BEGIN [A-Z ]*PUBLIC KEY-----/, { message: 'must be a PEM public key' })
  JWT_PUBLIC_KEY?: string;

  @IsString()
  JWT_ISSUER: string = 'kkb';

  @IsString()
  JWT_AUDIENCE: string = 'kkb';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  @IsInt()
  @Min(1)
  @Max(10000)
  OUTBOX_BATCH_SIZE: number = 256;

  @IsInt()
  @Min(10)
  @Max(60000)
  OUTBOX_POLL_MS: number = 1000;

  @IsInt()
  @Min(1)
  @Max(24 * 365)
  OUTBOX_RETENTION_HOURS: number = 24;

  @IsInt()
  @Min(1)
  @Max(100)
  CONSUMER_MAX_DELIVER: number = 8;

  @IsInt()
  @Min(1000)
  @Max(3600000)
  CONSUMER_ACK_WAIT_MS: number = 30000;

  @IsInt()
  @Min(1024)
  @Max(100 * 1024 * 1024)
  HTTP_BODY_LIMIT: number = 1024 * 1024;

  // Tracing (OpenTelemetry's own variable names; see tracing.ts). Off unless an exporter or an
  // endpoint is set.

  /** `true` turns tracing off whatever else is set. */
  @BoolEnv()
  @IsBoolean()
  OTEL_SDK_DISABLED: boolean = false;

  /** `otlp` or `none`; unset, it is `otlp` when an OTLP endpoint is set and `none` otherwise. */
  @IsOptional()
  @IsIn(['otlp', 'none'], { message: 'must be otlp or none' })
  OTEL_TRACES_EXPORTER?: string;

  /** OTLP/HTTP base URL; traces go to `<url>/v1/traces`. */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http:// or https:// URL' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** Full OTLP/HTTP traces URL, used as is; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http:// or https:// URL' })
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;

  /** `service.name` of the spans; default: the service's name (registry, survey...). */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  OTEL_SERVICE_NAME?: string;

  /** Fraction of new traces kept (parent-based: a caller's sampled flag is always followed). */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  OTEL_TRACES_SAMPLER_ARG: number = 1;
}

/** Variables without a default value, hence not among the keys of a fresh config object. */
const VARIABLES_WITHOUT_DEFAULT = [
  'PORT',
  'DATABASE_URL',
  'NATS_URL',
  'NATS_USER',
  'NATS_PASSWORD',
  'JWT_SECRET',
  'JWT_PUBLIC_KEY',
  'OTEL_TRACES_EXPORTER',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_SERVICE_NAME',
];

/** One line per variable: the type check when it failed (its bounds are moot then), else the first reason. */
function flatten(errors: ValidationError[], target: Record<string, unknown>) {
  return errors.map((e) => {
    const entries = Object.entries(e.constraints ?? {});
    const [, reason] = entries.find(([name]) => name.startsWith('is')) ?? entries[0] ?? ['', 'is invalid'];
    return {
      variable: e.property,
      reason: reason.replace(new RegExp(`^${e.property}\\s*`), ''),
      value: target[e.property],
    };
  });
}

/**
 * Reads and validates configuration from the environment at boot; throws a ConfigError that
 * names every bad variable. `defaults` fills what the environment leaves out (the port, schema...).
 */
export function loadConfig<T extends BaseServiceConfig>(
  cls: new () => T,
  defaults: Partial<Record<keyof T, unknown>>,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const raw: Record<string, unknown> = { ...defaults };
  for (const key of Object.keys(new cls()).concat(Object.keys(defaults), VARIABLES_WITHOUT_DEFAULT)) {
    if (env[key] !== undefined && env[key] !== '') raw[key] = env[key];
  }
  const instance = plainToInstance(cls, raw, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(instance as object, { forbidUnknownValues: true });
  const problems = flatten(errors, raw);
  // OIDC_ISSUER (read by @kkb/auth, which checks the OIDC_* variables) may stand alone.
  if (!instance.JWT_SECRET && !instance.JWT_PUBLIC_KEY && !env.OIDC_ISSUER) {
    problems.push({
      variable: 'JWT_SECRET',
      reason: 'set JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256/ES256), or OIDC_ISSUER',
      value: undefined,
    });
  }
  if (!instance.NATS_USER !== !instance.NATS_PASSWORD) {
    problems.push({
      variable: instance.NATS_USER ? 'NATS_PASSWORD' : 'NATS_USER',
      reason: 'set NATS_USER and NATS_PASSWORD together, or neither',
      value: undefined,
    });
  }
  if (problems.length) throw new ConfigError(problems);
  return instance;
}
