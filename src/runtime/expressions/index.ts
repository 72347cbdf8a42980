/**
 * Vectorized expression evaluation over Arrow batches: bound expressions compiled into
 * typed-array kernels (see compile.ts), filters and projections (filter-project.ts),
 * and the kernel registry (kernels.ts).
 */
export { compileExpression, referencedColumns, type CompiledExpression, type CompileOptions, type EvaluateOptions } from './compile.js';
export {
  compileFilter, compileFilterProject, compileProjection, EARLY_BELOW, nullable, type CompiledFilter,
  type CompiledFilterProject, type CompiledProjection, type FilterStrategy, type ProjectionItem, type RunOptions,
} from './filter-project.js';
export { atRow, errorRow, type RowError, type RowErrorHandler } from './frame.js';
export { type CallKernel, fastKernel, kernelKey, type KernelFactory, registerKernel, registeredKernels } from './kernels.js';
export { ARROW_TEXT_SETTINGS } from './columns.js';
