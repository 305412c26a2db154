export * from './signing-event.js';
export * from './fulcio-extensions.js';
