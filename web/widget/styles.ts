/** The widget's styles, in three sheets; theming is in styles/theme.ts. */
export { controls } from './styles/controls.js';
export { messages } from './styles/messages.js';
export { layout, theme } from './styles/theme.js';
