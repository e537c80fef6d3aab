/** `patroni-kit resume`: leave maintenance mode (the same implementation as `pause`). */
export { resume as default } from './pause.js';
