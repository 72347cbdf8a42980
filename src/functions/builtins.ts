import { registerArithmetic } from './arithmetic.js';
import { registerComparison } from './comparison.js';
import { registerDatetime, registerDatetimeArithmetic } from './datetime.js';
import { FunctionRegistry } from './scalar-function.js';
import { registerString } from './string.js';
import { registerSystem } from './system.js';

/** The registry of every built-in function and operator. */
export function builtinFunctions(): FunctionRegistry {
  const registry = new FunctionRegistry();
  registerArithmetic(registry);
  registerComparison(registry);
  registerString(registry);
  registerDatetime(registry);
  registerDatetimeArithmetic(registry);
  registerSystem(registry);
  return registry;
}
