import { inputsOf, type LogicalOperator, type LogicalPlan } from '../plan/logical-plan.js';

/**
 * The plan with every operator replaced by what `rewrite` makes of it; the same plan
 * object when `rewrite` returned every operator unchanged.
 */
export function mapOperators(plan: LogicalPlan, rewrite: (op: LogicalOperator) => LogicalOperator): LogicalPlan {
  const operators = plan.operators.map(rewrite);
  return operators.every((op, i) => op === plan.operators[i]) ? plan : { ...plan, operators };
}

/** The operators that read the output of operator `id`. */
export function consumersOf(plan: LogicalPlan, id: string): LogicalOperator[] {
  return plan.operators.filter((op) => inputsOf(op).includes(id));
}

function withInputRenamed(op: LogicalOperator, from: string, to: string): LogicalOperator {
  switch (op.kind) {
    case 'source': return op;
    case 'filter': case 'project': case 'flat-map': case 'map': case 'aggregate': case 'window': case 'top-n': case 'sink':
      return op.input === from ? { ...op, input: to } : op;
    case 'union': return op.inputs.includes(from) ? { ...op, inputs: op.inputs.map((i) => (i === from ? to : i)) } : op;
    case 'join':
      return op.left === from || op.right === from ? { ...op, left: op.left === from ? to : op.left, right: op.right === from ? to : op.right } : op;
  }
}

/**
 * The plan without the one-input operator `id`, its consumers reading that operator's
 * input instead: right once they no longer need what it does (a filter that keeps every
 * row, a projection already substituted into the projection that reads it).
 */
export function bypass(plan: LogicalPlan, id: string): LogicalPlan {
  const [input] = inputsOf(plan.operators.find((op) => op.id === id)!);
  return {
    ...plan,
    operators: plan.operators.filter((op) => op.id !== id).map((op) => withInputRenamed(op, id, input!)),
  };
}
