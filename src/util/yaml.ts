/**
 * yaml, for all of faultline: every module imports it from here, not from 'yaml'.
 *
 * The build replaces this module's output, dist/util/yaml.js, with yaml bundled into that one file
 * (scripts/bundle-packages.mjs): yaml 2 is about 84 CommonJS files, and finding, reading and compiling them
 * one by one was a large part of the CLI's start (`faultline validate`, bench/RESULTS.md). Vitest and tsx
 * read this source and load yaml's own files, the same code.
 */

export type { Document, DocumentOptions, Node, ParseOptions, SchemaOptions } from 'yaml';
export { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parse, parseAllDocuments, stringify, visit } from 'yaml';
