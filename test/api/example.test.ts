/** examples/fraud-detection.ts runs as a program and prints what its dataflows produced. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot } from '../support/server.js';

test('the fraud detection example runs: alerts for the large transactions, a completed windowed aggregate', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [`${repoRoot}dist/examples/fraud-detection.js`], { cwd: repoRoot });
  assert.match(stdout, /fraud_alerts: \[\s*\{ id: '2', amount: 12500, alert: 'high_value' \},\s*\{ id: '4', amount: 48000, alert: 'high_value' \}\s*\]/);
  assert.match(stdout, /bids_per_auction: completed/);
  assert.match(stdout, /window_end: 2024-01-01T00:00:10\.000Z,\s*bids: '\d+'/);
});
