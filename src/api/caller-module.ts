import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The file: URL of the module that called `fn`, read from the call stack; null when the
 * caller is no module file (a REPL, eval, node -e).
 */
export function callerModule(fn: (...args: never[]) => unknown): string | null {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  try {
    Error.prepareStackTrace = (_err, sites) => sites;
    Error.stackTraceLimit = 1;
    Error.captureStackTrace(holder, fn);
    const file = holder.stack?.[0]?.getFileName();
    if (file === undefined || file === null) return null;
    if (file.startsWith('file://')) return file;
    return isAbsolute(file) ? pathToFileURL(file).href : null;
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}
