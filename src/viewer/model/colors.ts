// Colour families for timeline items. The model stores a small index per item (family × shade)
// so the renderer can batch fills by colour; the actual CSS colours depend on the theme and
// are made in ui/theme.ts from FAMILIES.

export interface ColorFamily {
  name: string;
  hue: number;
  saturation: number;
}

/** Order is the index. Shades vary lightness a little so neighbouring items stay distinct. */
export const FAMILIES: readonly ColorFamily[] = [
  { name: 'other', hue: 210, saturation: 12 },
  { name: 'eventloop', hue: 28, saturation: 85 },
  { name: 'gc', hue: 280, saturation: 45 },
  { name: 'http.server', hue: 212, saturation: 70 },
  { name: 'http.client', hue: 178, saturation: 60 },
  { name: 'net', hue: 195, saturation: 50 },
  { name: 'fs', hue: 140, saturation: 45 },
  { name: 'async', hue: 245, saturation: 45 },
  { name: 'user', hue: 95, saturation: 45 },
  { name: 'error', hue: 0, saturation: 72 },
  { name: 'console', hue: 215, saturation: 10 },
  { name: 'cpu.user', hue: 45, saturation: 80 },
  { name: 'cpu.modules', hue: 22, saturation: 45 },
  { name: 'cpu.node', hue: 220, saturation: 14 },
  { name: 'cpu.gc', hue: 280, saturation: 40 },
  { name: 'process', hue: 300, saturation: 35 },
  { name: 'warning', hue: 45, saturation: 90 },
  { name: 'trigger', hue: 8, saturation: 90 },
];
export const SHADES = 4;

const FAMILY_INDEX = new Map(FAMILIES.map((family, index) => [family.name, index]));

export function familyIndex(name: string): number {
  return FAMILY_INDEX.get(name) ?? 0;
}

/** Colour index of an item: its category's family, a shade picked by a hash of its name. */
export function colorIndex(family: string, name: string): number {
  return familyIndex(family) * SHADES + (hashString(name) % SHADES);
}

export function colorFamilyOfCategory(category: string): string {
  if (category === 'child_process' || category === 'worker') return 'process';
  if (FAMILY_INDEX.has(category)) return category;
  return 'other';
}

export function hashString(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return hash >>> 0;
}
