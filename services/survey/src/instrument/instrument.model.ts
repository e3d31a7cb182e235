import type { SubmissionKind } from '@kkb/contracts';
import type { CompiledInstrument } from '@kkb/instrument-rules';
import type { InstrumentDefinition } from '@kkb/instrument-rules';

/** One published version of an instrument, without its definition. */
export interface InstrumentSummary {
  code: string;
  version: number;
  kind: SubmissionKind;
  title: string;
  publishedAt: Date;
  publishedBy: string;
}

/**
 * One published version of an instrument; never updated (a trigger refuses it). The instrument
 * table's rows map onto it in one place: instrumentFromRow in instrument.repository.ts.
 */
export interface Instrument extends InstrumentSummary {
  definition: InstrumentDefinition;
}

/** A published version with its definition compiled for validating answers. */
export interface LoadedInstrument {
  row: Instrument;
  compiled: CompiledInstrument;
}
