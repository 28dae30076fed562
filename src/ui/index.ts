export { Console, type ConsoleProps } from './Console.js';
export { KEYMAP, type Keymap } from './keymap.js';
export { type ConsoleOptions, renderConsole } from './render-console.js';
