/** `node dist/test/slt/main.js [paths]`: runs .slt files, prints `N passed, N failed` last. */
import { join, relative } from 'node:path';
import { repoRoot } from '../support/server.js';
import { runFile, sltFiles } from './runner.js';

async function main(paths: string[]): Promise<void> {
  let passed = 0;
  let failed = 0;
  for (const file of paths.flatMap(sltFiles)) {
    try {
      const result = await runFile(file);
      passed += result.passed;
      failed += result.failed;
      process.stdout.write(`${result.failed === 0 ? 'ok  ' : 'FAIL'} ${relative(repoRoot, file)}: ${result.passed} passed, ${result.failed} failed\n`);
    } catch (err) {
      failed++;
      process.stdout.write(`FAIL ${relative(repoRoot, file)}: ${String((err as Error).stack ?? err)}\n`);
    }
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main(process.argv.slice(2).length > 0 ? process.argv.slice(2) : [join(repoRoot, 'sql-tests')]);
