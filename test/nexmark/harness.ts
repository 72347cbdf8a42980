/** Running a Nexmark query as a Sabot dataflow and comparing text rows: shared by the reference test and the .slt writer. */
import pg from 'pg';

/** One row as the server printed it: Postgres wire text, null for NULL. */
export type TextRow = (string | null)[];

/** Raw text values: results are compared as both servers printed them. */
const rawTypes = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

export async function connect(config: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client({ ...config, types: rawTypes });
  await client.connect();
  return client;
}

export async function textRows(client: pg.Client, text: string): Promise<{ rows: TextRow[]; types: number[] }> {
  const result = await client.query({ text, rowMode: 'array' });
  return { rows: result.rows as TextRow[], types: result.fields.map((f) => f.dataTypeID) };
}

/** A bounded run's job must end well within this; a job that does not is reported, not waited on forever. */
const COMPLETION_LIMIT_MS = 180_000;

/** Waits until the dataflow's job has completed; throws with the job's error if it failed. */
export async function waitForCompletion(client: pg.Client, dataflow: string): Promise<void> {
  const deadline = Date.now() + COMPLETION_LIMIT_MS;
  for (;;) {
    const { rows } = await textRows(client, `SELECT status, error_message FROM sabot.jobs WHERE job_name = '${dataflow}'`);
    const [status, error] = rows[0] ?? [];
    if (status === 'completed') return;
    if (status === 'failed' || status === 'canceled') throw new Error(`dataflow ${dataflow} ${status}: ${error}`);
    if (Date.now() > deadline) throw new Error(`dataflow ${dataflow} is still ${status} after ${COMPLETION_LIMIT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs `body` as a dataflow keeping its result, waits for the bounded run to end, and reads the result. */
export async function runDataflow(client: pg.Client, name: string, parallelism: number, body: string): Promise<TextRow[]> {
  await client.query(`CREATE DATAFLOW ${name} WITH (parallelism = ${parallelism}) AS ${body}`);
  await waitForCompletion(client, name);
  return (await textRows(client, `SELECT * FROM ${name}`)).rows;
}

/** The rows of each side missing from the other, compared as multisets, sorted; both empty when the results are equal. */
export function multisetDifference(left: TextRow[], right: TextRow[]): { onlyLeft: string[]; onlyRight: string[] } {
  const counts = new Map<string, number>();
  for (const row of left) {
    const key = JSON.stringify(row);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const onlyRight: string[] = [];
  for (const row of right) {
    const key = JSON.stringify(row);
    const n = counts.get(key) ?? 0;
    if (n > 0) counts.set(key, n - 1);
    else onlyRight.push(key);
  }
  const onlyLeft = [...counts].flatMap(([key, n]) => Array<string>(n).fill(key));
  return { onlyLeft: onlyLeft.sort(), onlyRight: onlyRight.sort() };
}
