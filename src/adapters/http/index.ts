export * from './client.js';
export * from './endpoint.js';
export * from './limits.js';
export * from './redact.js';
export * from './retry-policy.js';
export * from './paginate.js';
