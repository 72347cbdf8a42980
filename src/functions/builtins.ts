import { registerArithmetic } from './arithmetic.js';
import { registerComparison } from './comparison.js';
import { registerDatePart } from './date-part.js';
import { registerDatetime, registerDatetimeArithmetic, registerDatetimeConstructors } from './datetime.js';
import { registerMath } from './math.js';
import { FunctionRegistry } from './scalar-function.js';
import { registerRegexp } from './regexp.js';
import { registerSetReturning } from './set-returning.js';
import { registerString } from './string.js';
import { registerStringBuild } from './string-build.js';
import { registerStringParts } from './string-parts.js';
import { registerSystem } from './system.js';

/** The registry of every built-in function and operator. */
export function builtinFunctions(): FunctionRegistry {
  const registry = new FunctionRegistry();
  registerArithmetic(registry);
  registerMath(registry);
  registerComparison(registry);
  registerString(registry);
  registerStringParts(registry);
  registerStringBuild(registry);
  registerRegexp(registry);
  registerDatetime(registry);
  registerDatetimeArithmetic(registry);
  registerDatetimeConstructors(registry);
  registerDatePart(registry);
  registerSystem(registry);
  registerSetReturning(registry);
  return registry;
}
