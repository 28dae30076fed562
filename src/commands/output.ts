export { terminalSafeJson, writeJsonArrays } from '../adapters/terminal-output.js';
