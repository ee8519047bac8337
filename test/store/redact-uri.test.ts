import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mongoHostsOf, mongoPasswordsOf, redactMongoUri, scrubMongoSecrets } from '../../src/store/redact-uri.ts';

test('redactMongoUri hides the password and secret options, keeps user, hosts, database and other options', () => {
  assert.equal(redactMongoUri('mongodb+srv://alice:pa55word@cluster0.ab1cd.mongodb.net/signal?retryWrites=true&w=majority'), 'mongodb+srv://alice:***@cluster0.ab1cd.mongodb.net/signal?retryWrites=true&w=majority');
  assert.equal(redactMongoUri('mongodb://localhost:27017'), 'mongodb://localhost:27017');
  assert.equal(redactMongoUri('mongodb://localhost:27017/'), 'mongodb://localhost:27017');
  assert.equal(redactMongoUri('mongodb://u:p@h1:27017,h2:27018,h3/db?replicaSet=rs0'), 'mongodb://u:***@h1:27017,h2:27018,h3/db?replicaSet=rs0');
  assert.equal(redactMongoUri('mongodb://h/?tlsCertificateKeyFilePassword=topsecret&authSource=admin'), 'mongodb://h?tlsCertificateKeyFilePassword=***&authSource=admin');
  assert.equal(redactMongoUri('mongodb://h/?authMechanismProperties=AWS_SESSION_TOKEN:abc'), 'mongodb://h?authMechanismProperties=***');
  assert.equal(redactMongoUri('https://example.com'), '<not a mongodb:// or mongodb+srv:// URI>');
});

test('redactMongoUri never leaks a malformed password (unencoded @, / or ?)', () => {
  for (const uri of [
    'mongodb://bob:p@ss/w?rd@db.example.com:27017/app',
    'mongodb://bob:p@ss@db.example.com/app',
    'mongodb://bob:with/slash@db.example.com',
    'mongodb://bob:q?mark@db.example.com/app?ssl=true',
  ]) {
    const out = redactMongoUri(uri);
    for (const fragment of ['p@ss', 'w?rd', 'with/slash', 'slash', 'q?mark', 'mark']) assert.ok(!out.includes(fragment), `${uri} -> ${out}`);
    assert.match(out, /db\.example\.com/);
  }
});

test('mongoHostsOf names the hosts only', () => {
  assert.equal(mongoHostsOf('mongodb+srv://alice:pw@cluster0.ab1cd.mongodb.net/x'), 'cluster0.ab1cd.mongodb.net');
  assert.equal(mongoHostsOf('mongodb://h1:1,h2:2/db'), 'h1:1,h2:2');
  assert.equal(mongoHostsOf('nonsense'), '<unknown host>');
  // An '@' in an option value is not a credentials separator.
  assert.equal(mongoHostsOf('mongodb://u:pw@h1:27017/db?appName=me@work&w=1'), 'h1:27017');
  assert.equal(mongoHostsOf('mongodb://h1:27017/db?appName=me@work&w=1'), 'h1:27017');
});

test('scrubMongoSecrets removes the password (raw and decoded) and redacts quoted URIs', () => {
  const uri = 'mongodb://alice:p%40ss%2Fword@db.example.com/app';
  const msg = 'failed for mongodb://alice:p%40ss%2Fword@db.example.com/app: auth failed for p@ss/word (p%40ss%2Fword)';
  const out = scrubMongoSecrets(msg, uri);
  assert.ok(!out.includes('p@ss/word') && !out.includes('p%40ss%2Fword'), out);
  assert.match(out, /mongodb:\/\/alice:\*\*\*@db\.example\.com\/app/);
  assert.equal(scrubMongoSecrets('plain message', 'mongodb://h'), 'plain message');
});

test('mongoPasswordsOf returns the raw and decoded password, also for multi-host URIs', () => {
  assert.deepEqual(mongoPasswordsOf('mongodb://u:p%40ss@h1:1,h2:2/db'), ['p%40ss', 'p@ss']);
  assert.deepEqual(mongoPasswordsOf('mongodb://h1/db'), []);
  assert.deepEqual(mongoPasswordsOf('mongodb://onlyuser@h1/db'), []);
});
