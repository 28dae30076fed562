export * from './http-target.js';
export * from './command-target.js';
