// A real OpenID provider (oidc-provider 9.x) for Flowbench's sign-in tests.
//
// Started by tests/support/oidc.rs as `node server.js` with settings in environment variables;
// listens on 127.0.0.1 with a port chosen by the system and prints one line
// `listening <issuer>` on stdout once it is ready. Stopped by the tests (by PID).
//
// Environment:
//   OIDC_AUDIENCE        audience (resource indicator) of the JWT access tokens
//   OIDC_SERVICE_SECRET  secret of the confidential client `flowbench-service`
//   OIDC_ACCESS_TTL      access token lifetime in seconds (default 300)

import http from 'node:http';
import Provider, { errors } from 'oidc-provider';

const audience = process.env.OIDC_AUDIENCE || 'api://flowbench-demo';
const serviceSecret = process.env.OIDC_SERVICE_SECRET || 'service-secret';
const accessTtl = Number(process.env.OIDC_ACCESS_TTL || 300);

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        // Service principal: client credentials only.
        client_id: 'flowbench-service',
        client_secret: serviceSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        // Desktop app: public native client, loopback redirect on any port (RFC 8252).
        client_id: 'flowbench-native',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: [
          'authorization_code',
          'refresh_token',
          'urn:ietf:params:oauth:grant-type:device_code',
        ],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/'],
      },
    ],
    scopes: ['openid', 'offline_access', 'api'],
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== audience) {
            throw new errors.InvalidTarget(`unknown resource ${resource}`);
          }
          return {
            scope: 'api',
            audience,
            accessTokenTTL: accessTtl,
            accessTokenFormat: 'jwt',
          };
        },
      },
    },
    // Refresh tokens for every client allowed to use them (no `prompt=consent` dance).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: accessTtl,
      ClientCredentials: accessTtl,
      DeviceCode: 300,
      RefreshToken: 3600,
    },
  });
  provider.proxy = false;

  server.on('request', provider.callback());
  process.stdout.write(`listening ${issuer}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
