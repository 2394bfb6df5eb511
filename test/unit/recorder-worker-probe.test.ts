// Probing a worker goes through the main thread's inspector (NodeWorker domain): the worker is
// found by the thread id in its target's title, and our one answer is told from other messages
// relayed from it. (The probe itself runs against real workers in
// test/integration/loop-block-stacks.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluationAnswer, threadIdOfWorkerTitle } from '../../src/recorder/watchdog/worker-probe';

test('a worker target\'s title gives its thread id, with or without a name', () => {
  assert.equal(threadIdOfWorkerTitle('[worker 7]'), 7);
  assert.equal(threadIdOfWorkerTitle('[worker 12] image-resize'), 12);
  for (const other of ['worker 7', '[worker x]', '', undefined, 42, '<img src=x>']) assert.equal(threadIdOfWorkerTitle(other), -1, String(other));
});

test('only the answer to our request is taken, and read defensively', () => {
  assert.deepEqual(evaluationAnswer(JSON.stringify({ id: 1, result: { result: { type: 'object', value: [[1, 2], []] } } })), { value: [[1, 2], []] });
  assert.deepEqual(evaluationAnswer(JSON.stringify({ id: 1, result: { result: { type: 'object' }, exceptionDetails: { text: 'boom' } } })), { value: undefined });
  assert.deepEqual(evaluationAnswer(JSON.stringify({ id: 1, error: { code: -32000, message: 'no' } })), { value: undefined });
  for (const other of [JSON.stringify({ method: 'Runtime.consoleAPICalled', params: {} }), JSON.stringify({ id: 2, result: {} }), 'not json', 'null', '7']) {
    assert.equal(evaluationAnswer(other), undefined, other);
  }
});
