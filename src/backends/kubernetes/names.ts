/** Names and labels of the objects backend kubernetes creates. */
import { randomBytes } from 'node:crypto';

/** A DNS-1123 label of at most `max` characters. */
export function slug(text: string, max: number): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return s.slice(0, max).replace(/-$/, '') || 'x';
}

/** `fl-<experiment>-<step>-<random>`: unique, at most 63 characters (Chaos Mesh uses it in labels and annotations). */
export function objectNameFor(experiment: string, step: string): string {
  return `fl-${slug(experiment, 28)}-${slug(step, 24)}-${randomBytes(3).toString('hex').slice(0, 5)}`;
}

export function managedLabels(experiment: string, step: string): Record<string, string> {
  return {
    'app.kubernetes.io/managed-by': 'faultline',
    'faultline.dev/experiment': slug(experiment, 63),
    'faultline.dev/step': slug(step, 63),
  };
}
