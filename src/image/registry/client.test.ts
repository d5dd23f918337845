import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authorizer } from './auth.js';
import { RegistryClient, isLoopbackRegistry } from './client.js';

test('loopback registries are recognised by host, with or without a port', () => {
  for (const host of ['localhost', 'localhost:5000', '127.0.0.1', '127.0.0.1:5000', '127.1.2.3:80', '[::1]:5000', '[::1]'])
    assert.ok(isLoopbackRegistry(host), host);
  for (const host of ['docker.io', 'localhost.example.com', '128.0.0.1:5000', '10.0.0.1', 'registry:5000', '[::2]:5000'])
    assert.ok(!isLoopbackRegistry(host), host);
});

test('https by default; http for loopback, configured and per-pull insecure registries; Docker Hub at registry-1', () => {
  const client = new RegistryClient({ authorizer: new Authorizer(() => Promise.resolve(undefined)), insecureRegistries: ['registry.lan:5000'] });
  assert.equal(client.baseUrl('docker.io'), 'https://registry-1.docker.io');
  assert.equal(client.baseUrl('quay.io'), 'https://quay.io');
  assert.equal(client.baseUrl('registry.lan:5000'), 'http://registry.lan:5000');
  assert.equal(client.baseUrl('registry.lan'), 'https://registry.lan');
  assert.equal(client.baseUrl('localhost:5000'), 'http://localhost:5000');
  assert.equal(client.baseUrl('127.0.0.1:41234'), 'http://127.0.0.1:41234');
});
