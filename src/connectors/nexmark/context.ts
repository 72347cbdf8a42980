import type { Data, Int64, TimestampMicrosecond, Utf8 } from 'apache-arrow';
import type { NexmarkText } from './text.js';

/** What the per-kind batch builders need from a generator. */
export interface GeneratorContext {
  /** The seed's 32-bit key (random.ts). */
  key: number;
  text: NexmarkText;
  firstEventTime: number;
  eventsPerSecond: number;
  types: { int64: Int64; timestamp: TimestampMicrosecond; utf8: Utf8 };
  /** Per-generator scratch space of the batch builders (reused from batch to batch). */
  scratch: Int32Array;
}

/** A generated batch's columns (schema order), the next event number, the last event time. */
export interface Generated {
  columns: Data[];
  next: number;
  lastTime: number;
}
