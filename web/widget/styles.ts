/** The widget's styles, in eight sheets; theming is in styles/theme.ts. */
export { controls } from './styles/controls.js';
export { messages } from './styles/messages.js';
export { social } from './styles/social.js';
export { layout, theme } from './styles/theme.js';
export { panels } from './styles/panels.js';
export { launcher } from './styles/launcher.js';
export { preview } from './styles/preview.js';
export { uploads } from './styles/uploads.js';
