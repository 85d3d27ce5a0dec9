/**
 * The plug-in registries (src/util/registry.ts): a plug-in registered under a name that is taken is a
 * clear error naming both, whatever the kind; the registered lists come out in their documented order.
 */
import { describe, expect, it } from 'vitest';
import '../src/faults/index.js';
import '../src/probes/index.js';
import '../src/report/index.js';
import { findFault, registerFault } from '../src/faults/registry.js';
import { probeTypeNames, registerProbeType } from '../src/probes/registry.js';
import { registerReportFormat, reportFormatNames } from '../src/report/registry.js';

describe('plug-in registries', () => {
  it('refuse a second plug-in under a name already taken, naming the kind and the name', () => {
    const kill = findFault('process.kill');
    expect(kill).toBeDefined();
    expect(() => registerFault({ ...(kill as NonNullable<typeof kill>) })).toThrow('fault process.kill is registered twice');
    expect(() => registerProbeType({ type: 'http' } as never)).toThrow('probe type http is registered twice');
    expect(() => registerReportFormat({ name: 'json' } as never)).toThrow('report format json is registered twice');
  });

  it('list report formats in registration order and probe types by name', () => {
    expect(reportFormatNames().slice(0, 4)).toEqual(['json', 'md', 'junit', 'html']);
    expect(probeTypeNames()).toEqual([...probeTypeNames()].sort());
    expect(probeTypeNames()).toContain('http');
  });
});
