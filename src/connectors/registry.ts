import { SabotError, SqlState } from '../errors.js';
import { blackholeSink } from './blackhole/blackhole-sink.js';
import type { SinkConnector, SourceConnector } from './connector.js';
import { internalSink } from './internal/internal-sink.js';
import { internalSource } from './internal/internal-source.js';
import { kafkaSink, kafkaSource } from './kafka/index.js';
import type { InternalStreams } from './internal/internal-streams.js';
import { nexmarkSource } from './nexmark/nexmark-source.js';

/** The connectors an agent reads and writes streams with, by connector name. */
export class Connectors {
  private readonly sources: Record<string, SourceConnector>;
  private readonly sinks: Record<string, SinkConnector>;

  constructor(internalStreams: InternalStreams) {
    const internal = { source: internalSource(internalStreams), sink: internalSink(internalStreams) };
    this.sources = { internal: internal.source, result: internal.source, nexmark: nexmarkSource, kafka: kafkaSource };
    this.sinks = { internal: internal.sink, result: internal.sink, blackhole: blackholeSink, kafka: kafkaSink };
  }

  source(connector: string): SourceConnector {
    const c = this.sources[connector];
    if (!c) throw new SabotError(SqlState.featureNotSupported, `a ${connector} stream cannot be read by a dataflow`);
    return c;
  }

  sink(connector: string): SinkConnector {
    const c = this.sinks[connector];
    if (!c) throw new SabotError(SqlState.featureNotSupported, `a dataflow cannot write into a ${connector} stream`);
    return c;
  }

  canRead(connector: string): boolean {
    return connector in this.sources;
  }

  canWrite(connector: string): boolean {
    return connector in this.sinks;
  }
}
