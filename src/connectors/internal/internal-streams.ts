import { join } from 'node:path';
import type { StreamDefinition } from '../../control/catalog/streams.js';
import { arrowSchema } from '../../runtime/arrow-types.js';
import { StreamLog } from './stream-log.js';

/**
 * The append logs of a server's internal streams, one directory each under
 * `<data-dir>/streams/`, opened on first use and kept open.
 */
export class InternalStreams {
  private readonly logs = new Map<string, Promise<StreamLog>>();

  constructor(private readonly root: string) {}

  private dir(name: string): string {
    return join(this.root, encodeURIComponent(name));
  }

  log(stream: StreamDefinition): Promise<StreamLog> {
    let log = this.logs.get(stream.name);
    if (!log) {
      log = StreamLog.open(this.dir(stream.name), arrowSchema(stream.columns));
      log.catch(() => this.logs.delete(stream.name));
      this.logs.set(stream.name, log);
    }
    return log;
  }

  /** DROP STREAM: the log and its files go. */
  async remove(name: string): Promise<void> {
    const log = this.logs.get(name);
    this.logs.delete(name);
    if (log) await (await log).close();
    await StreamLog.remove(this.dir(name));
  }

  async close(): Promise<void> {
    const logs = [...this.logs.values()];
    this.logs.clear();
    await Promise.all(logs.map(async (l) => (await l).close()));
  }
}
