// Colours for the canvas, read from CSS custom properties so VS Code themes (light, dark,
// high contrast) and the browser's prefers-color-scheme both apply. media/viewer.css maps
// `--vscode-*` variables onto the `--nfr-*` ones read here, with defaults for the browser.
import { FAMILIES, SHADES } from '../model/colors';

export interface Theme {
  dark: boolean;
  highContrast: boolean;
  background: string;
  foreground: string;
  muted: string;
  faint: string;
  border: string;
  trackAlt: string;
  headerBackground: string;
  gutterBackground: string;
  accent: string;
  trigger: string;
  selection: string;
  selectionFill: string;
  hover: string;
  fontFamily: string;
  monoFamily: string;
  /** Fill per colour index (family × shade). */
  palette: string[];
  /** Text colour readable on each palette fill. */
  paletteText: string[];
  /** Same fills, faded: items that do not match the search. */
  paletteDim: string[];
}

export function readTheme(root: HTMLElement): Theme {
  const style = getComputedStyle(root);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const background = v('--nfr-bg', '#1e1e1e');
  const dark = luminance(background) < 0.4;
  const highContrast = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
  const palette: string[] = [];
  const paletteText: string[] = [];
  const paletteDim: string[] = [];
  FAMILIES.forEach((family) => {
    for (let shade = 0; shade < SHADES; shade++) {
      // Yellows and oranges stay light (dark text on them); other hues are deep enough for white text.
      const warm = family.hue >= 20 && family.hue <= 75 && family.saturation > 30;
      const lightness = warm ? (dark ? 48 : 56) + shade * 4 : (dark ? 40 : 43) + shade * 4;
      const saturation = family.saturation * (dark ? 0.9 : 1);
      palette.push(`hsl(${family.hue} ${saturation}% ${lightness}%)`);
      paletteDim.push(`hsl(${family.hue} ${saturation * 0.3}% ${dark ? 24 : 86}%)`);
      const lightFill = warm || lightness >= 62;
      paletteText.push(lightFill ? '#1a1a1a' : '#ffffff');
    }
  });
  return {
    dark,
    highContrast,
    background,
    foreground: v('--nfr-fg', dark ? '#cccccc' : '#1f1f1f'),
    muted: v('--nfr-muted', dark ? '#9d9d9d' : '#616161'),
    faint: v('--nfr-faint', dark ? 'rgba(255,255,255,0.06)' : 'rgba(0,0,0,0.06)'),
    border: v('--nfr-border', dark ? '#3c3c3c' : '#e0e0e0'),
    trackAlt: v('--nfr-track-alt', dark ? 'rgba(255,255,255,0.025)' : 'rgba(0,0,0,0.022)'),
    headerBackground: v('--nfr-header-bg', dark ? '#252526' : '#f3f3f3'),
    gutterBackground: v('--nfr-gutter-bg', dark ? '#202021' : '#f8f8f8'),
    accent: v('--nfr-accent', dark ? '#3794ff' : '#005fb8'),
    trigger: v('--nfr-trigger', dark ? '#ff6b5a' : '#d12f1b'),
    selection: v('--nfr-selection', dark ? '#ffffff' : '#000000'),
    selectionFill: v('--nfr-selection-fill', dark ? 'rgba(55,148,255,0.16)' : 'rgba(0,95,184,0.12)'),
    hover: v('--nfr-hover', dark ? 'rgba(255,255,255,0.7)' : 'rgba(0,0,0,0.6)'),
    fontFamily: v('--nfr-font', 'system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif'),
    monoFamily: v('--nfr-mono', 'ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace'),
    palette,
    paletteText,
    paletteDim,
  };
}

/** Relative luminance of a CSS colour (#rgb, #rrggbb, rgb()), 0 = black; unknown → 0 (dark). */
function luminance(color: string): number {
  let r = 0;
  let g = 0;
  let b = 0;
  const hex = /^#([0-9a-f]{3,8})$/i.exec(color);
  if (hex) {
    const text = hex[1]!;
    const full = text.length === 3 || text.length === 4 ? text.split('').map((c) => c + c).join('') : text;
    r = parseInt(full.slice(0, 2), 16);
    g = parseInt(full.slice(2, 4), 16);
    b = parseInt(full.slice(4, 6), 16);
  } else {
    const rgb = /rgba?\(\s*(\d+)[ ,]+(\d+)[ ,]+(\d+)/i.exec(color);
    if (rgb) [r, g, b] = [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  }
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}
