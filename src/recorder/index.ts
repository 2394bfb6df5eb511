// Entry of dist/recorder.js (preload and library). Filled in by the recorder core.
export {};
