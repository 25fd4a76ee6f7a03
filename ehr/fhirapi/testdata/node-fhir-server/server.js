// A real FHIR R4 server for TestProbeRealNodeFHIRServer: @asymmetrik/node-fhir-server-core
// with Patient, Observation and Condition, HTTPS with the test's certificate, and the
// SMART v1 OAuth URIs in its CapabilityStatement. Environment: PORT, TLS_KEY, TLS_CERT;
// NODE_PATH points at the node_modules that .ci/run installed. With SMART_CONFIGURATION
// (a JSON file), the stock server also serves that document as
// /4_0_1/.well-known/smart-configuration, as a practice adds SMART App Launch discovery
// in front of it; everything else is the stock server.
const { initialize, constants } = require('@asymmetrik/node-fhir-server-core');
const express = require(require.resolve('express', { paths: [require.resolve('@asymmetrik/node-fhir-server-core')] }));
const fs = require('fs');
const { VERSIONS } = constants;
const r4 = [VERSIONS['4_0_1']];
const service = __dirname + '/service.js';
const config = {
  server: { port: Number(process.env.PORT), ssl: { key: process.env.TLS_KEY, cert: process.env.TLS_CERT } },
  security: [
    { url: 'authorize', valueUri: 'https://localhost/oauth2/authorize' },
    { url: 'token', valueUri: 'https://localhost/oauth2/token' },
  ],
  profiles: {
    patient: { service, versions: r4 },
    observation: { service, versions: r4 },
    condition: { service, versions: r4 },
  },
};
const app = express();
if (process.env.SMART_CONFIGURATION) {
  const doc = fs.readFileSync(process.env.SMART_CONFIGURATION);
  app.get('/4_0_1/.well-known/smart-configuration', (req, res) => res.type('application/json').send(doc));
}
initialize(config, app).listen(config.server.port, '127.0.0.1', () => console.log('listening on ' + config.server.port));
