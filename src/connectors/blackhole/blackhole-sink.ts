import type { SinkConnector } from '../connector.js';

/** `connector = 'blackhole'`: takes every batch and keeps nothing; the sink task's rows_processed counts them. */
export const blackholeSink: SinkConnector = {
  async open() {
    return { async write() {}, async close() {} };
  },
};
