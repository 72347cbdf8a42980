import { SabotError, SqlState } from '../../errors.js';
import type { CatalogAccess, CatalogStore } from '../catalog/catalog-store.js';

/** What a step sees: the transaction its catalog writes go through, and the run so far. */
export interface StepContext<I> {
  readonly tx: CatalogAccess;
  readonly workflowId: string;
  readonly input: I;
  /** Outputs of the steps before this one, as recorded. */
  readonly outputs: readonly unknown[];
  /** Start of this step, µs since the epoch (the same on a retry of the step). */
  readonly now: number;
}

export interface WorkflowStep<I> {
  readonly name: string;
  /** Does the step's catalog writes through ctx.tx; returns a JSON-serializable output. */
  run(ctx: StepContext<I>): Promise<unknown>;
}

export interface WorkflowDefinition<I> {
  readonly type: string;
  /** The job a run of this workflow is about, for workflow_state.job_id. */
  jobId(input: I): string | null;
  readonly steps: readonly WorkflowStep<I>[];
  /** Records, in the same transaction as the failed run's state, what the failure means. */
  onFailure?(tx: CatalogAccess, input: I, error: Error): Promise<void>;
}

/** Called after each step commits: lets tests kill the process at a chosen step. */
export type StepHook = (workflowType: string, completedSteps: number) => void;

function micros(): number {
  return Date.now() * 1000;
}

/**
 * Durable workflows in the manner of DBOS: a workflow_state row per run and a
 * workflow_steps row per completed step, written in the same catalog transaction as the
 * step's own writes. So a crash at any point loses nothing and repeats nothing: on
 * restart `resumeAll` continues every unfinished run at its next step. A run's id says
 * what it does, so starting the same run twice joins the first one.
 */
export class WorkflowEngine {
  private readonly definitions = new Map<string, WorkflowDefinition<unknown>>();
  private readonly inFlight = new Map<string, Promise<unknown[]>>();

  constructor(private readonly store: CatalogStore, private readonly afterStep?: StepHook) {}

  register<I>(definition: WorkflowDefinition<I>): void {
    this.definitions.set(definition.type, definition as WorkflowDefinition<unknown>);
  }

  /** Runs a workflow to its end (or joins the run with this id) and returns its step outputs. */
  run<I>(type: string, workflowId: string, input: I): Promise<unknown[]> {
    const running = this.inFlight.get(workflowId);
    if (running) return running;
    const definition = this.definitions.get(type);
    if (!definition) throw new Error(`unknown workflow type ${type}`);
    const promise = this.execute(definition, workflowId, input).finally(() => this.inFlight.delete(workflowId));
    this.inFlight.set(workflowId, promise);
    return promise;
  }

  /** Continues every run that had not finished when the process stopped. */
  async resumeAll(): Promise<void> {
    const unfinished = (await this.store.select('workflow_state', { status: 'running' }));
    for (const row of unfinished) {
      const type = row.workflow_type as string;
      if (!this.definitions.has(type)) continue;
      await this.run(type, row.workflow_id as string, JSON.parse(row.input_json as string)).catch(() => undefined);
    }
  }

  private async execute(definition: WorkflowDefinition<unknown>, workflowId: string, input: unknown): Promise<unknown[]> {
    const now = micros();
    await this.store.insert('workflow_state', {
      workflow_id: workflowId, workflow_type: definition.type, job_id: definition.jobId(input), current_step: null,
      completed_steps: 0, status: 'running', error_message: null, input_json: JSON.stringify(input),
      created_at: now, updated_at: now,
    });
    const [state] = await this.store.select('workflow_state', { workflow_id: workflowId });
    if (state!.status === 'failed') {
      throw new SabotError(SqlState.internalError, `workflow ${workflowId} failed: ${state!.error_message}`);
    }
    // A resumed run continues with the input it was started with.
    const runInput = JSON.parse(state!.input_json as string) as unknown;
    const recorded = await this.store.select('workflow_steps', { workflow_id: workflowId });
    const outputs: unknown[] = recorded.map((r) => (r.output_json === null ? null : JSON.parse(r.output_json as string)));
    if (state!.status === 'succeeded') return outputs;
    for (let i = outputs.length; i < definition.steps.length; i++) {
      const step = definition.steps[i]!;
      try {
        const output = await this.store.transaction(async (tx) => {
          const stepStart = micros();
          const result = await step.run({ tx, workflowId, input: runInput, outputs, now: stepStart });
          await tx.insert('workflow_steps', {
            workflow_id: workflowId, step_index: i, step_name: step.name,
            output_json: result === undefined ? null : JSON.stringify(result), completed_at: micros(),
          });
          await tx.update('workflow_state', { workflow_id: workflowId },
            { current_step: step.name, completed_steps: i + 1, updated_at: micros() });
          return result ?? null;
        });
        outputs.push(output);
      } catch (err) {
        await this.store.transaction(async (tx) => {
          await tx.update('workflow_state', { workflow_id: workflowId }, {
            status: 'failed', error_message: (err as Error).message, updated_at: micros(),
          });
          await definition.onFailure?.(tx, runInput, err as Error);
        }).catch(() => undefined);
        throw err;
      }
      this.afterStep?.(definition.type, i + 1);
    }
    await this.store.update('workflow_state', { workflow_id: workflowId }, { status: 'succeeded', updated_at: micros() });
    return outputs;
  }
}

/**
 * The crash hook of the tests: SABOT_CRASH_AFTER_STEP=<workflow type>:<k> kills the
 * process (SIGKILL, no clean-up) right after step k of such a workflow commits.
 */
export function crashHookFromEnv(env: NodeJS.ProcessEnv = process.env): StepHook | undefined {
  const spec = env.SABOT_CRASH_AFTER_STEP;
  if (!spec) return undefined;
  const [type, k] = spec.split(':');
  return (workflowType, completed) => {
    if (workflowType === type && completed === Number(k)) process.kill(process.pid, 'SIGKILL');
  };
}
