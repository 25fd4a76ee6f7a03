// A real FHIR R4 server for TestProbeRealNodeFHIRServer: @asymmetrik/node-fhir-server-core
// with Patient, Observation and Condition, HTTPS with the test's certificate, and the
// SMART v1 OAuth URIs in its CapabilityStatement. Environment: PORT, TLS_KEY, TLS_CERT;
// NODE_PATH points at the node_modules that .ci/run installed.
const { initialize, constants } = require('@asymmetrik/node-fhir-server-core');
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
initialize(config).listen(config.server.port, '127.0.0.1', () => console.log('listening on ' + config.server.port));
