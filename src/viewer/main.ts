// Entry of dist/viewer.js. Filled in by the viewer.
export {};
