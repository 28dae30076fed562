export { terminalSafeJson } from '../adapters/terminal-output.js';
