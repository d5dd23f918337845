import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { PeapodError } from '../common/errors.js';
import { toServiceError } from './errors.js';

test('PeapodError codes map to gRPC codes in one place', () => {
  const cases: [PeapodError['code'], status][] = [
    ['NotFound', status.NOT_FOUND],
    ['AlreadyExists', status.ALREADY_EXISTS],
    ['InvalidArgument', status.INVALID_ARGUMENT],
    ['FailedPrecondition', status.FAILED_PRECONDITION],
    ['DeadlineExceeded', status.DEADLINE_EXCEEDED],
    ['Unimplemented', status.UNIMPLEMENTED],
    ['Internal', status.UNKNOWN],
  ];
  for (const [code, grpc] of cases) assert.equal(toServiceError(new PeapodError(code, 'x')).code, grpc, code);
  assert.equal(toServiceError(new Error('boom')).code, status.UNKNOWN);
  const wrapped = new Error('outer', { cause: new PeapodError('NotFound', 'inner') });
  assert.equal(toServiceError(wrapped).code, status.NOT_FOUND);
  assert.equal(toServiceError(new PeapodError('NotFound', 'gone', { hint: 'try again' })).details, 'gone (try again)');
});
