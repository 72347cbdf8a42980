import { keptResultOfSink } from '../../connectors/internal/kept-result.js';
import { parseJobGraph } from '../../plan/job-graph.js';
import type { CatalogStore } from './catalog-store.js';
import { loadStreams, type StreamDefinition } from './streams.js';

/**
 * The server's view of its streams, kept in memory so statements can be planned without
 * a round trip to the catalog: loaded at start-up, changed by CREATE and DROP STREAM
 * after their catalog writes commit. It also knows the kept results of dataflows
 * (`CREATE DATAFLOW name AS SELECT`), which SELECT reads by the dataflow's name.
 */
export class StreamCatalog {
  private constructor(private readonly streams: Map<string, StreamDefinition>, private readonly results: Map<string, StreamDefinition>) {}

  static async load(catalog: CatalogStore): Promise<StreamCatalog> {
    const results = new Map<string, StreamDefinition>();
    for (const d of await catalog.select('dataflows')) {
      if (d.sink !== null || d.job_id === null) continue;
      const [job] = await catalog.select('jobs', { job_id: d.job_id });
      const sink = job && parseJobGraph(job.job_graph_json as string).operators.find((o) => o.type === 'sink');
      if (sink) results.set(d.name as string, keptResultOfSink(d.name as string, sink));
    }
    return new StreamCatalog(await loadStreams(catalog), results);
  }

  /** The kept result of the dataflow of this name, if it keeps one. */
  result(name: string): StreamDefinition | undefined {
    return this.results.get(name);
  }

  addResult(result: StreamDefinition): void {
    this.results.set(result.name, result);
  }

  removeResult(name: string): void {
    this.results.delete(name);
  }

  get(name: string): StreamDefinition | undefined {
    return this.streams.get(name);
  }

  all(): ReadonlyMap<string, StreamDefinition> {
    return this.streams;
  }

  add(stream: StreamDefinition): void {
    this.streams.set(stream.name, stream);
  }

  remove(name: string): void {
    this.streams.delete(name);
  }
}
