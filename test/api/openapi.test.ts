import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/server.ts';
import { fakeServices } from './fake-services.ts';

let app: FastifyInstance;
let doc: any;

before(async () => {
  app = buildApi(fakeServices().services);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const res = await fetch(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/openapi.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  doc = await res.json();
});
after(() => app.close());

test('the document is a valid OpenAPI 3.1 document', async () => {
  assert.equal(doc.openapi, '3.1.0');
  // validate() mutates (dereferences) its input, so give it a copy.
  await SwaggerParser.validate(structuredClone(doc));
});

test('it lists every route the server answers, and only those', () => {
  const documented = Object.keys(doc.paths).sort();
  assert.deepEqual(documented, ['/health', '/live', '/models', '/openapi.json', '/prediction', '/ready']);
  for (const path of documented) {
    assert.ok(app.hasRoute({ method: 'GET', url: path }), `${path} is documented but not served`);
    assert.ok(doc.paths[path].get.operationId, `${path} has an operationId`);
  }
});

test('it documents each query parameter with its constraints', () => {
  const params = Object.fromEntries(doc.paths['/prediction'].get.parameters.map((p: any) => [p.name, p]));
  assert.deepEqual(Object.keys(params).sort(), ['symbol', 'trend_type']);
  assert.equal(params.symbol.in, 'query');
  assert.equal(params.symbol.required, true);
  assert.equal(params.symbol.schema.pattern, '^[A-Za-z0-9]{2,10}$');
  assert.deepEqual(params.trend_type.schema.enum, ['uptrend', 'downtrend']);
  const modelParams = doc.paths['/models'].get.parameters;
  assert.deepEqual(modelParams.map((p: any) => [p.name, p.required]), [['trend_type', false]]);
});

test('it documents the responses, including the error shapes', () => {
  const responses = doc.paths['/prediction'].get.responses;
  assert.deepEqual(Object.keys(responses).sort(), ['200', '404', '422', '500', '503']);
  const ok = responses['200'].content['application/json'].schema;
  assert.deepEqual(ok.required, ['prediction_probabilities', 'symbol', 'trend_type', 'as_of', 'version', 'classifier', 'signal', 'threshold', 'abstain', 'scope', 'model_note']);
  assert.equal(responses['422'].content['application/json'].schema.properties.detail.type, 'array');
  assert.deepEqual(Object.keys(doc.paths['/health'].get.responses).sort(), ['200', '500', '503']);
  const model = doc.paths['/models'].get.responses['200'].content['application/json'].schema.items;
  assert.deepEqual(Object.keys(model.properties.performance_metrics.properties).sort(),
    ['accuracy', 'negative_accuracy', 'overall_score', 'positive_accuracy', 'precision']);
});
