import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonPatch, mergePatch, strategicMerge } from './patch.js';

test('JSON merge patch: RFC 7386 section 3 example', () => {
  const target = { a: 'b', c: { d: 'e', f: 'g' } };
  assert.deepEqual(mergePatch(target, { a: 'z', c: { f: null } }), { a: 'z', c: { d: 'e' } });
});

test('JSON patch: RFC 6902 appendix A add, remove, replace, move, test', () => {
  assert.deepEqual(jsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }]), { baz: 'qux', foo: 'bar' });
  assert.deepEqual(jsonPatch({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }]), { foo: ['bar', 'qux', 'baz'] });
  assert.deepEqual(jsonPatch({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }]), { foo: ['bar', 'baz'] });
  assert.deepEqual(jsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }]), { baz: 'boo', foo: 'bar' });
  assert.deepEqual(jsonPatch({ foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }]), {
    foo: { bar: 'baz' },
    qux: { corge: 'grault', thud: 'fred' },
  });
  assert.deepEqual(jsonPatch({ 'a/b': 1 }, [{ op: 'replace', path: '/a~1b', value: 2 }]), { 'a/b': 2 });
  assert.throws(() => jsonPatch({ baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }]), /test operation failed/);
  assert.throws(() => jsonPatch({}, [{ op: 'replace', path: '/missing', value: 1 }]), /missing/);
});

test('strategic merge: lists with a merge key merge by it, directives are honoured', () => {
  const pod = {
    metadata: { labels: { app: 'a', old: 'x' } },
    spec: {
      containers: [
        { name: 'web', image: 'busybox:1' },
        { name: 'side', image: 'busybox:1' },
      ],
      tolerations: [{ key: 'a' }],
    },
  };
  const patched = strategicMerge(pod, {
    metadata: { labels: { old: null, new: 'y' } },
    spec: {
      '$setElementOrder/containers': [{ name: 'web' }, { name: 'side' }],
      containers: [
        { name: 'web', image: 'busybox:2' },
        { name: 'side', $patch: 'delete' },
        { name: 'extra', image: 'busybox' },
      ],
      tolerations: [{ key: 'b' }],
    },
  });
  assert.deepEqual(patched, {
    metadata: { labels: { app: 'a', new: 'y' } },
    spec: {
      containers: [
        { name: 'web', image: 'busybox:2' },
        { name: 'extra', image: 'busybox' },
      ],
      tolerations: [{ key: 'b' }],
    },
  });
  assert.deepEqual(strategicMerge({ spec: { a: 1, b: 2 } }, { spec: { $patch: 'replace', c: 3 } }), { spec: { c: 3 } });
  assert.deepEqual(strategicMerge({ finalizers: ['a', 'b'] }, { '$deleteFromPrimitiveList/finalizers': ['a'] }), { finalizers: ['b'] });
});
