export * from './backlog.js';
export * from './endpoints.js';
export * from './tracker.js';
