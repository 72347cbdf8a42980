import type { CatalogStore } from './catalog-store.js';
import { loadStreams, type StreamDefinition } from './streams.js';

/**
 * The server's view of its streams, kept in memory so statements can be planned without
 * a round trip to the catalog: loaded at start-up, changed by CREATE and DROP STREAM
 * after their catalog writes commit.
 */
export class StreamCatalog {
  private constructor(private readonly streams: Map<string, StreamDefinition>) {}

  static async load(catalog: CatalogStore): Promise<StreamCatalog> {
    return new StreamCatalog(await loadStreams(catalog));
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
