import { SabotError, SqlState } from '../../errors.js';
import { describeKafkaError, KafkaClient } from './client.js';

/**
 * Checks that the brokers of a kafka stream's options (`bootstrap_servers`) answer, so
 * CREATE STREAM fails at once with the address rather than a dataflow waiting later.
 * Throws a SabotError 08001 naming the address.
 */
export async function checkKafkaReachable(options: Record<string, string>, timeoutMs = 5_000): Promise<void> {
  const address = options.bootstrap_servers;
  if (!address) throw new SabotError(SqlState.invalidParameterValue, 'connector "kafka" needs option "bootstrap_servers"');
  const client = new KafkaClient(address, { timeoutMs });
  try {
    const check = client.topic(options.topic ?? '', false).then(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs + 1_000);
    });
    await Promise.race([check, timeout]).finally(() => clearTimeout(timer));
  } catch (err) {
    throw new SabotError(SqlState.sqlclientUnableToEstablishSqlconnection, `cannot reach Kafka at ${address}: ${describeKafkaError(err)}`,
      { hint: 'Check bootstrap_servers, and that the broker runs and listens there.' });
  } finally {
    await client.close();
  }
}
