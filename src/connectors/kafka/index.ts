/**
 * The Kafka connector (connector = 'kafka'): what the rest of Sabot uses of it.
 *
 * Stream options: topic, bootstrap_servers (host:port[,host:port...]), format (json |
 * csv, default json), scan_startup_mode (earliest | latest | a timestamp in ms; default
 * earliest), key (the column written as the message key), partitions and
 * replication_factor (of a topic the sink creates), timestamp_column. A column `_key`
 * (text) is the message key; without timestamp_column, a column `_timestamp`
 * (timestamp) is the record's Kafka timestamp. Neither is part of the payload.
 */
export { kafkaSource, type KafkaPosition } from './source.js';
export { kafkaSink } from './sink.js';
export { checkKafkaReachable } from './reachable.js';
export { readKafkaContents } from './contents.js';
