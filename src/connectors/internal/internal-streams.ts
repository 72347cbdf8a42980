import { join } from 'node:path';
import type { StreamDefinition } from '../../control/catalog/streams.js';
import { arrowSchema } from '../../runtime/arrow-types.js';
import { StreamLog } from './stream-log.js';

/**
 * The append logs of a server's internal streams, one directory each under
 * `<data-dir>/streams/`, and of dataflows' kept results (connector 'result'), under
 * `<data-dir>/results/`; opened on first use and kept open.
 */
export class InternalStreams {
  private readonly logs = new Map<string, Promise<StreamLog>>();

  constructor(private readonly dataDir: string) {}

  private key(stream: Pick<StreamDefinition, 'name' | 'connector'>): string {
    return `${stream.connector === 'result' ? 'results' : 'streams'}/${encodeURIComponent(stream.name)}`;
  }

  log(stream: StreamDefinition): Promise<StreamLog> {
    const key = this.key(stream);
    let log = this.logs.get(key);
    if (!log) {
      log = StreamLog.open(join(this.dataDir, key), arrowSchema(stream.columns));
      log.catch(() => this.logs.delete(key));
      this.logs.set(key, log);
    }
    return log;
  }

  /** DROP STREAM (or DROP DATAFLOW of a kept result): the log and its files go. */
  async remove(stream: Pick<StreamDefinition, 'name' | 'connector'>): Promise<void> {
    const key = this.key(stream);
    const log = this.logs.get(key);
    this.logs.delete(key);
    if (log) await (await log).close().catch(() => undefined);
    await StreamLog.remove(join(this.dataDir, key));
  }

  async close(): Promise<void> {
    const logs = [...this.logs.values()];
    this.logs.clear();
    await Promise.all(logs.map(async (l) => (await l).close()));
  }
}
