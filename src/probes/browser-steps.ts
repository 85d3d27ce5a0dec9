/**
 * The steps of a browser probe, each a mapping with one key: what a person does on the page and what
 * they check on it. Parsed by dispatch on that key, so a mistake names the step and its field.
 */
import type { Page } from 'playwright-core';
import {
  compareNumber,
  compareString,
  describeNumber,
  describeString,
  numberComparatorSchema,
  stringComparatorSchema,
} from '../spec/comparators.js';
import { dispatch } from '../spec/dispatch.js';
import { strict } from '../spec/fields.js';
import { z } from '../util/zod.js';

const selector = z.string().min(1, { message: 'expected a CSS or Playwright selector, like "#pay" or "text=Pay"' });

const stepSchemas = {
  goto: strict({ goto: z.string().min(1).describe('a URL, or a path resolved against the probe url') }),
  click: strict({ click: selector }),
  fill: strict({ fill: selector, value: z.string() }),
  expectText: strict({
    // a plain string means "contains": a page's text is long, a person looks for words in it
    expectText: z
      .preprocess((v) => (typeof v === 'string' ? { contains: v } : v), stringComparatorSchema)
      .describe('the text of the element (default body): "words it contains", or { notMatches: ... }'),
    selector: selector.optional(),
  }),
  expectVisible: strict({ expectVisible: selector }),
  expectStatus: strict({ expectStatus: numberComparatorSchema.describe('the status of the last goto') }),
  expectTitle: strict({ expectTitle: stringComparatorSchema }),
} as const;

export type BrowserStep = { [K in keyof typeof stepSchemas]: z.infer<(typeof stepSchemas)[K]> }[keyof typeof stepSchemas];

const STEP_KINDS = Object.keys(stepSchemas) as (keyof typeof stepSchemas)[];

const unknownStep = z.custom<never>(() => false, {
  message: `expected a step with one of ${STEP_KINDS.join(', ')}, like { goto: /orders } or { click: "#pay" }`,
});

export const browserStepSchema: z.ZodType<BrowserStep> = dispatch<BrowserStep>(
  (value) => {
    const kind = value && typeof value === 'object' ? STEP_KINDS.find((k) => k in value) : undefined;
    return (kind ? stepSchemas[kind] : unknownStep) as z.ZodType<BrowserStep>;
  },
  () => z.union(Object.values(stepSchemas)),
);

/** `click "#pay"`: how a step reads in messages. */
export function describeStep(step: BrowserStep): string {
  const [kind, value] = Object.entries(step)[0] as [string, unknown];
  return `${kind} ${JSON.stringify(value)}`;
}

export interface StepState {
  page: Page;
  /** the probe's url, which relative gotos resolve against */
  base: string | undefined;
  /** the status of the last goto */
  status: number | null;
}

/** Runs one step; throws an Error saying what was wrong. */
export async function runStep(step: BrowserStep, state: StepState): Promise<void> {
  const { page } = state;
  if ('goto' in step) {
    const response = await page.goto(state.base ? new URL(step.goto, state.base).href : step.goto);
    state.status = response?.status() ?? null;
  } else if ('click' in step) {
    await page.locator(step.click).first().click();
  } else if ('fill' in step) {
    await page.locator(step.fill).first().fill(step.value);
  } else if ('expectVisible' in step) {
    await page.locator(step.expectVisible).first().waitFor({ state: 'visible' });
  } else if ('expectText' in step) {
    const text = await page
      .locator(step.selector ?? 'body')
      .first()
      // biome-ignore lint/performance/useDomNodeTextContent: what a person sees is the rendered text, hidden elements left out
      .innerText();
    if (!compareString(text, step.expectText)) {
      throw new Error(`text ${JSON.stringify(text.slice(0, 120))}, expected ${describeString(step.expectText)}`);
    }
  } else if ('expectStatus' in step) {
    if (state.status === null || !compareNumber(state.status, step.expectStatus)) {
      throw new Error(`status ${state.status ?? 'none (no goto yet)'}, expected ${describeNumber(step.expectStatus)}`);
    }
  } else if ('expectTitle' in step) {
    const title = await page.title();
    if (!compareString(title, step.expectTitle))
      throw new Error(`title ${JSON.stringify(title)}, expected ${describeString(step.expectTitle)}`);
  }
}
